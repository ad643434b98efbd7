"""REST API (FastAPI): a thin layer over :class:`journeyhub.Hub`."""

from journeyhub.api.app import create_app

__all__ = ["create_app"]
