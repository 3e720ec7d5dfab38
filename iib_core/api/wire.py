"""The wire form of file names: one encoder for every JSON answer, one decoder for query strings.

A file name that is not valid UTF-8 reaches Python as a `str` with lone surrogates
(`os.fsdecode(b"bad\\xff.png") == "bad\\udcff.png"`, PEP 383). On the wire:

  * in JSON (answers and request bodies) such a character is the escape `\\udcff`.
    `JSON.parse` keeps it as a lone surrogate in a JavaScript string, `JSON.stringify`
    writes it back as `\\udcff`, Python's `json` reads it back as the same surrogate
    and `os.fsencode` turns it into the original byte. Every other character is plain
    UTF-8, so answers without such names are byte for byte what they were;
  * in a query string (`/file?path=...`) it is the percent-escape of the raw byte
    (`%FF`), decoded here with `surrogateescape`. Starlette decodes invalid UTF-8
    with U+FFFD, losing the byte, so routes that take a path in the query read it
    through `query_text`.

README.md, "File names that are not UTF-8", describes the same for clients.
"""
from __future__ import annotations

import json
from typing import Any, Optional, overload
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse

try:  # optional: encodes a 200,000-entry listing ten times faster than the json module
    import orjson
except ImportError:  # pragma: no cover - depends on the environment
    orjson = None  # type: ignore[assignment]


def dumps(content: Any) -> bytes:
    """JSON bytes; text that cannot be UTF-8 (lone surrogates) goes out as `\\uXXXX` escapes."""
    text = json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a name that is not valid UTF-8 somewhere in the answer
        return json.dumps(content, ensure_ascii=True, allow_nan=False, indent=None,
                          separators=(",", ":")).encode("ascii")


class WireJSONResponse(JSONResponse):
    """The JSON answer of every IIB route (the routers' default response class)."""

    def render(self, content: Any) -> bytes:
        return dumps(content)


class ListingResponse(WireJSONResponse):
    """For big listings: orjson when installed (it refuses lone surrogates: then `dumps`)."""

    def render(self, content: Any) -> bytes:
        if orjson is not None:
            try:
                return orjson.dumps(content)
            except TypeError:
                pass
        return dumps(content)


@overload
def query_text(request: Request, name: str, parsed: str) -> str: ...
@overload
def query_text(request: Request, name: str, parsed: Optional[str] = None) -> Optional[str]: ...
def query_text(request: Request, name: str, parsed: Optional[str] = None) -> Optional[str]:
    """The query parameter `name` with invalid UTF-8 percent-escapes kept as surrogates.

    `parsed` is what FastAPI already decoded; when it holds no U+FFFD (the common case)
    the raw query cannot have held an undecodable byte and it is returned as is.
    """
    if parsed is not None and "\ufffd" not in parsed:
        return parsed
    raw = request.scope.get("query_string", b"")
    value = parsed
    for key, text in parse_qsl(raw.decode("latin-1"), keep_blank_values=True, encoding="utf-8",
                               errors="surrogateescape"):
        if key == name:
            value = text  # the last one wins, as with Starlette's QueryParams.get
    return value
