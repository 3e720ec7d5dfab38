"""How file paths are stored: the one place where paths enter and leave the database.

A path that is not valid UTF-8 reaches Python as a `str` holding lone surrogates
(`os.fsdecode(b"bad\\xff.png") == "bad\\udcff.png"`). Neither database takes those as
text: SQLite's driver refuses to encode them and PostgreSQL refuses invalid UTF-8. So
path columns hold a reversible form instead:

  * every surrogate code point U+D800..U+DFFF becomes ESC followed by its four
    upper-case hex digits (`\\udcff` -> ESC "DCFF");
  * ESC itself (U+FDD0, a Unicode noncharacter, "reserved for internal use") is doubled;
  * every other character is stored as it is.

Each character maps on its own, so concatenation and prefixes are kept
(`to_db(a + b) == to_db(a) + to_db(b)`) and the code is prefix-free: "lies below this
folder" still works on stored text as long as the folder is stored the same way. The
readable parts of a name are stored unchanged, so substring search finds them.
Paths made only of valid text without U+FDD0 (all paths, in practice) are stored
unchanged, so databases written before this form existed need no migration.

`PathText` applies the form to SQLAlchemy Core statements on path columns. Raw SQL
(the indexer's fast paths) and expressions whose type SQLAlchemy cannot know
(`substr(column, 1, n) = prefix`, concatenations) call `to_db` / `from_db` themselves.
"""
from __future__ import annotations

import os
import re
from typing import Optional

from sqlalchemy import Text, func, or_
from sqlalchemy.types import TypeDecorator

ESC = "\ufdd0"
_NEEDS_ESCAPE = re.compile("[\ud800-\udfff\ufdd0]")
_ESCAPED = re.compile("\ufdd0(\ufdd0|[0-9A-F]{4})")


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    return ESC + ESC if ch == ESC else ESC + "%04X" % ord(ch)


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    return ESC if code == ESC else chr(int(code, 16))


def to_db(path: str) -> str:
    """The stored form of a path (or of any text compared with stored paths)."""
    if path.isascii():
        return path
    if ESC not in path:
        try:
            path.encode("utf-8")  # C speed: only surrogates fail
            return path
        except UnicodeEncodeError:
            pass
    return _NEEDS_ESCAPE.sub(_escape, path)


def from_db(stored: str) -> str:
    """The path a stored text stands for (inverse of `to_db`)."""
    if ESC not in stored:
        return stored
    return _ESCAPED.sub(_unescape, stored)


class PathText(TypeDecorator):
    """A TEXT column holding file-system paths or names in the stored form above."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Optional[str], dialect) -> Optional[str]:
        return to_db(value) if isinstance(value, str) else value

    def process_result_value(self, value: Optional[str], dialect) -> Optional[str]:
        return from_db(value) if value is not None and ESC in value else value

    def result_processor(self, dialect, coltype):
        # One plain function per value (no TypeDecorator layers): listings read many paths.
        def process(value, esc=ESC, decode=from_db):
            return decode(value) if value is not None and esc in value else value

        return process

    def coerce_compared_value(self, op, value):
        # LIKE patterns, IN lists and equality all compare with stored paths: same form.
        return self


SEPARATORS = "/\\" if os.name == "nt" else "/"


def strip_separators(folder: str) -> str:
    """Without trailing separators (but the file-system root stays itself)."""
    return folder.rstrip(SEPARATORS) or folder


def under(column, folder: str):
    """`column` equals `folder` or lies below it, by whole components (stored paths use os.sep)."""
    exact = strip_separators(folder)
    prefix = to_db(exact if exact.endswith(tuple(SEPARATORS)) else exact + os.sep)  # stored form
    return or_(column == exact, func.substr(column, 1, len(prefix)) == prefix)


def separator_of(path: str) -> str:
    """The separator a path given by a client uses ("\\" only when it has no "/")."""
    return "\\" if ("\\" in path and "/" not in path) else "/"
