"""Storage: the only package that speaks SQL (through SQLAlchemy)."""
from .db import Database
from . import tables

__all__ = ["Database", "tables"]
