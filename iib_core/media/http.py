"""File responses: MIME types, validators (ETag/Last-Modified, 304) and single byte ranges.

Starlette's own FileResponse learnt Range only in recent releases, while IIB also runs
under the FastAPI 0.94 / Starlette 0.26 that A1111 pins, so the range logic lives here.
The file is opened by the route (in its worker thread) and the size sent in the headers
comes from `fstat` on that open descriptor, so the headers always describe the bytes sent.
Small bodies are read at once; larger ones stream in chunks read in worker threads
(Starlette's StreamingResponse stops reading when the client goes away).
"""
from __future__ import annotations

import email.utils
import mimetypes
import os
import re
import stat as stat_module
from typing import IO, AsyncIterator, Dict, Mapping, Optional, Tuple
from urllib.parse import quote

import anyio
from starlette.responses import JSONResponse, Response, StreamingResponse

from ..errors import BadInput, Forbidden, NotFound, RangeNotSatisfiable

ONE_YEAR = 31536000
SMALL_BODY = 256 * 1024  # read at once below this size
CHUNK_SIZE = 512 * 1024

# Media first: the extensions IIB shows, independent of the OS's MIME tables (which differ
# between machines and, on Windows, come from the registry).
MEDIA_TYPES: Dict[str, str] = {
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".jpe": "image/jpeg", ".jfif": "image/jpeg",
    ".png": "image/png", ".apng": "image/apng", ".gif": "image/gif", ".bmp": "image/bmp",
    ".webp": "image/webp", ".avif": "image/avif", ".tif": "image/tiff", ".tiff": "image/tiff",
    ".svg": "image/svg+xml", ".ico": "image/vnd.microsoft.icon",
    ".mp4": "video/mp4", ".m4v": "video/x-m4v", ".avi": "video/x-msvideo", ".mkv": "video/x-matroska",
    ".mov": "video/quicktime", ".wmv": "video/x-ms-wmv", ".flv": "video/x-flv", ".ts": "video/mp2t",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg", ".wav": "audio/wav", ".ogg": "audio/ogg", ".flac": "audio/flac",
    ".m4a": "audio/mp4", ".aac": "audio/aac", ".wma": "audio/x-ms-wma",
    ".txt": "text/plain; charset=utf-8", ".json": "application/json", ".zip": "application/zip",
}
# Python's built-in table only (no /etc/mime.types, no registry): the same answer everywhere.
_BUILTIN_TYPES = mimetypes.MimeTypes(filenames=())
# Types a browser would run as a document in our origin if opened directly.
_ACTIVE_TYPES = ("text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml",
                 "text/javascript", "application/javascript")

_RANGE_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


def guess_media_type(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    known = MEDIA_TYPES.get(ext)
    if known:
        return known
    guessed, _ = _BUILTIN_TYPES.guess_type("x" + ext, strict=False)
    if not guessed:
        return "application/octet-stream"
    return guessed + "; charset=utf-8" if guessed.startswith("text/") else guessed


def http_date(timestamp: float) -> str:
    """RFC 7231 date, in real GMT."""
    return email.utils.formatdate(timestamp, usegmt=True)


def long_cache_headers(now: float) -> Dict[str, str]:
    """For media whose URL changes with the file (the `t` token): cache for a year."""
    return {"Cache-Control": f"public, max-age={ONE_YEAR}", "Expires": http_date(now + ONE_YEAR)}


def content_disposition(filename: str) -> str:
    """A download name; bytes that are not UTF-8 (kept as surrogates) become U+FFFD, the
    only way to say them in a `filename*=UTF-8''` header."""
    if not filename.isascii():
        filename = filename.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "attachment; filename*=UTF-8''" + quote(filename, safe="")


def file_etag(st: os.stat_result) -> str:
    return f'"{st.st_mtime_ns:x}-{st.st_size:x}"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    return tag.strip('"')


def etag_matches(if_none_match: Optional[str], etag: str) -> bool:
    """Weak comparison, as If-None-Match wants; tolerates unquoted tags from old clients."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = _opaque(etag)
    return any(_opaque(candidate) == wanted for candidate in if_none_match.split(","))


def is_not_modified(headers: Mapping[str, str], etag: Optional[str], mtime: Optional[float]) -> bool:
    """If-None-Match wins; If-Modified-Since counts only when no If-None-Match is sent."""
    inm = headers.get("if-none-match")
    if inm is not None:
        return etag is not None and etag_matches(inm, etag)
    ims = headers.get("if-modified-since")
    if ims and mtime is not None:
        try:
            since = email.utils.parsedate_to_datetime(ims)
        except (TypeError, ValueError, IndexError):
            return False
        if since is None:
            return False
        return int(mtime) <= since.timestamp()
    return False


def parse_range(header: str, size: int) -> Tuple[int, int]:
    """The first range of a `Range: bytes=...` header as (start, end), end inclusive.

    Raises RangeNotSatisfiable (416) for a malformed header, a unit other than bytes,
    a start at or past the end, `end < start`, and a zero-length suffix. An end past
    the file is clamped and a suffix longer than the file means the whole file (RFC 9110).
    """
    def refuse() -> RangeNotSatisfiable:
        return RangeNotSatisfiable(f"Invalid request range (Range:'{header}')")

    unit, sep, specs = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        raise refuse()
    first = specs.split(",")[0]
    m = _RANGE_SPEC.match(first)
    if not m or (m.group(1) == "" and m.group(2) == ""):
        raise refuse()
    start_s, end_s = m.group(1), m.group(2)
    if start_s == "":  # suffix: the last N bytes
        n = int(end_s)
        if n == 0 or size == 0:
            raise refuse()
        return max(0, size - n), size - 1
    start = int(start_s)
    end = int(end_s) if end_s else size - 1
    if start >= size or end < start:
        raise refuse()
    return start, min(end, size - 1)


def stat_regular_file(real_path: str, shown_path: str) -> os.stat_result:
    """stat() a file a client named: 404 when missing, 400 when not a regular file."""
    try:
        st = os.stat(real_path)
    except (FileNotFoundError, NotADirectoryError):
        raise NotFound("Not Found") from None
    except OSError as exc:
        raise BadInput(f"cannot read {shown_path}: {exc.strerror or exc}") from None
    if not stat_module.S_ISREG(st.st_mode):
        raise BadInput(f"{shown_path} is not a file")
    return st


def open_regular_file(real_path: str, shown_path: str) -> Tuple[IO[bytes], os.stat_result]:
    """Open for reading, with the errors of stat_regular_file and 403 when the OS refuses.
    The stat returned is the open descriptor's, so it describes the bytes that will be read."""
    stat_regular_file(real_path, shown_path)
    try:
        f = open(real_path, "rb")  # noqa: SIM115 - returned open: the caller streams and closes it
    except (FileNotFoundError, NotADirectoryError):
        raise NotFound("Not Found") from None
    except PermissionError:
        raise Forbidden(f"Permission denied: {shown_path}") from None
    except OSError as exc:
        raise BadInput(f"cannot read {shown_path}: {exc.strerror or exc}") from None
    st = os.fstat(f.fileno())
    if not stat_module.S_ISREG(st.st_mode):  # replaced by a folder in between
        f.close()
        raise BadInput(f"{shown_path} is not a file")
    return f, st


async def _chunks(f: IO[bytes], length: int, chunk_size: int) -> AsyncIterator[bytes]:
    try:
        remaining = length
        while remaining > 0:
            data = await anyio.to_thread.run_sync(f.read, min(chunk_size, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        f.close()


def range_not_satisfiable(exc: RangeNotSatisfiable, size: int) -> JSONResponse:
    return JSONResponse({"detail": exc.detail}, status_code=416, headers={"Content-Range": f"bytes */{size}"})


def send_open_file(
    f: IO[bytes],
    st: os.stat_result,
    request_headers: Mapping[str, str],
    *,
    media_type: str,
    headers: Optional[Mapping[str, str]] = None,
    validators: bool = True,
    ranges: bool = True,
) -> Response:
    """A response for an open regular file; takes ownership of `f` (closes it).

    `validators` adds ETag/Last-Modified and answers 304 to If-None-Match /
    If-Modified-Since; `ranges` honours a single `Range` (206/416) and If-Range.
    """
    size = st.st_size
    out: Dict[str, str] = {"Content-Type": media_type, "Accept-Ranges": "bytes",
                           "X-Content-Type-Options": "nosniff"}
    if media_type.split(";")[0] in _ACTIVE_TYPES:
        out["Content-Security-Policy"] = "sandbox"
    etag = file_etag(st) if validators else None
    if validators:
        out["ETag"] = etag
        out["Last-Modified"] = http_date(st.st_mtime)
    out.update(headers or {})

    if validators and is_not_modified(request_headers, etag, st.st_mtime):
        f.close()
        keep = ("ETag", "Last-Modified", "Cache-Control", "Expires", "Accept-Ranges")
        return Response(status_code=304, headers={k: v for k, v in out.items() if k in keep})

    start, end, status = 0, size - 1, 200
    range_header = request_headers.get("range") if ranges else None
    if range_header is not None and _if_range_allows(request_headers.get("if-range"), etag, st.st_mtime):
        try:
            start, end = parse_range(range_header, size)
        except RangeNotSatisfiable as exc:
            f.close()
            return range_not_satisfiable(exc, size)
        status = 206
    length = max(0, end - start + 1)
    try:
        if start:
            f.seek(start)
        if length <= SMALL_BODY:
            body = f.read(length)
            f.close()
        else:
            body = None
    except BaseException:
        f.close()
        raise
    if body is not None:
        length = len(body)  # the file may have shrunk since fstat
    if status == 206:
        out["Content-Range"] = f"bytes {start}-{start + length - 1}/{size}"
    out["Content-Length"] = str(length)
    if body is not None:
        return Response(content=body, status_code=status, headers=out)
    return StreamingResponse(_chunks(f, length, CHUNK_SIZE), status_code=status, headers=out)


def _if_range_allows(if_range: Optional[str], etag: Optional[str], mtime: float) -> bool:
    """No If-Range, or one that still matches the file: honour the Range header."""
    if if_range is None:
        return True
    if_range = if_range.strip()
    if if_range.startswith(('"', "W/")):
        return etag is not None and not if_range.startswith("W/") and if_range == etag
    try:
        when = email.utils.parsedate_to_datetime(if_range)
    except (TypeError, ValueError, IndexError):
        return False
    return when is not None and int(mtime) == int(when.timestamp())
