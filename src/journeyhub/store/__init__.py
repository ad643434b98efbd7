"""Storage: the DuckDB gateway and the schema every other layer writes to and reads from."""

from journeyhub.store.database import Database, DatabaseLockedError, default_db_path

__all__ = ["Database", "DatabaseLockedError", "default_db_path"]
