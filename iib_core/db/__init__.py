"""Database layer: the only place that writes SQL.

Use `open_database(url)` to get a `Database`; query functions live in the modules
named after their tables (`images`, `tags`, `folders`, `kv`, `runs`, `orphans`).
"""
from .engine import Database
from .migrations import CURRENT_VERSION, SchemaTooNew, open_database

__all__ = ["Database", "open_database", "CURRENT_VERSION", "SchemaTooNew"]
