"""Storage: the only package that speaks SQL (through SQLAlchemy)."""
from .db import Database
from . import tables
from . import printing as _printing_tables  # noqa: F401  (kiosk printers, print jobs)

__all__ = ["Database", "tables"]
