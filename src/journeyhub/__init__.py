"""journeyhub: one golden record per customer, every channel on one timeline.

>>> from journeyhub import Hub
>>> hub = Hub(":memory:")
"""

__version__ = "0.1.0"

from journeyhub.hub import Hub

__all__ = ["Hub", "__version__"]
