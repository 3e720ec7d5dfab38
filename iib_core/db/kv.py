"""The `settings` key/value table (JSON values)."""
from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from .pathtext import to_db
from .schema import settings

_SURROGATE = re.compile("[\ud800-\udfff]")


def get(conn: Connection, key: str, default: Any = None) -> Any:
    row = conn.execute(select(settings.c.value).where(settings.c.key == to_db(key))).first()
    if row is None:
        return default
    try:
        return json.loads(row[0])
    except ValueError:
        return row[0]


def put(conn: Connection, key: str, value: Any) -> None:
    encoded = json.dumps(value, ensure_ascii=False)
    if not encoded.isascii() and _SURROGATE.search(encoded):
        # A path that is not UTF-8 (lone surrogates, e.g. a folder in a saved workspace):
        # \udcXX escapes, which neither database refuses and json.loads reads back.
        encoded = json.dumps(value, ensure_ascii=True)
    key = to_db(key)  # a client-chosen key may hold lone surrogates too
    updated = conn.execute(settings.update().where(settings.c.key == key).values(value=encoded)).rowcount
    if not updated:
        conn.execute(settings.insert().values(key=key, value=encoded))


def delete(conn: Connection, key: str) -> None:
    conn.execute(settings.delete().where(settings.c.key == to_db(key)))


def items_with_prefix(conn: Connection, prefix: str) -> dict:
    out = {}
    for key, value in conn.execute(
        select(settings.c.key, settings.c.value).where(settings.c.key.startswith(prefix, autoescape=True))
    ):
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out
