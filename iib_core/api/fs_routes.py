"""File-system routes and the trash (docs/api.md, "Files and folders").

Every client path goes through the access policy before it is used, sources and
destinations alike (a move or copy destination must lie inside the roots when access
control is on: stricter than upstream, on purpose). The work itself lives in
`iib_core.files`; these routes only shape requests and answers.

Additions to the original API (all optional, defaults keep its behaviour):
  * `overwrite: bool = false` on `/copy_files`, `/move_files`, `/db/rename`: without
    it an existing target is a 409 naming the target;
  * `permanent: bool = false` on `/delete_files`: without it files go to the trash;
    the answer also lists where each entry went (`items[].trash_id`);
  * `GET /trash`, `POST /trash/restore` (W) `{"ids": [...]}`, `POST /trash/empty` (W)
    `{"ids": [...]}` or `{"all": true}`.
"""
from __future__ import annotations

import ipaddress
import os
import stat
import subprocess
import sys
import threading
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

from fastapi import APIRouter, Depends
from pydantic import BaseModel, StrictStr
from starlette.requests import Request

from ..errors import BadInput, Forbidden, NotFound
from ..files import FileOperationFailed, FileOperations, PathGate
from ..files.listing import (DateFormatter, link_failure_kind, list_folder, node_from_stat, special_node, top_media,
                             windows_drives)
from ..files.operations import describe
from .context import IIBContext
from .deps import secret_guard, write_guard
from .guard import is_same_origin
from .scope import file_operations
from .wire import ListingResponse, query_text

COVER_CACHE_SIZE = 2048
FORWARDING_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip", "x-forwarded-host")
LOCAL_ONLY = ("Opening files on the server machine is only allowed when the server listens on a loopback "
              "address and the request comes from that machine")


class PathsBody(BaseModel):
    paths: List[StrictStr]


class PathBody(BaseModel):
    path: StrictStr


class MkdirsBody(BaseModel):
    dest_folder: StrictStr


class DeleteBody(BaseModel):
    file_paths: List[StrictStr]
    permanent: bool = False


class TransferBody(BaseModel):
    file_paths: List[StrictStr]
    dest: StrictStr
    create_dest_folder: bool = False
    continue_on_error: bool = False
    overwrite: bool = False


class RenameBody(BaseModel):
    path: StrictStr
    name: StrictStr
    overwrite: bool = False


class TrashIdsBody(BaseModel):
    ids: List[StrictStr]


class TrashEmptyBody(BaseModel):
    ids: Optional[List[StrictStr]] = None
    all: bool = False


def _is_loopback_ip(host: Optional[str]) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def require_local(request: Request) -> None:
    """Both ends of the connection on loopback, and no proxy in between."""
    client = request.client.host if request.client else None
    server = request.scope.get("server")
    server_host = server[0] if server else None
    if not (_is_loopback_ip(client) and _is_loopback_ip(server_host)):
        raise Forbidden(LOCAL_ONLY)
    if any(h in request.headers for h in FORWARDING_HEADERS):
        raise Forbidden(LOCAL_ONLY + " (this request came through a proxy)")
    # Never on behalf of another page, not even an origin allowed by IIB_ALLOW_ORIGINS.
    site = (request.headers.get("sec-fetch-site") or "").lower()
    if site not in ("", "same-origin", "none") or (
            request.headers.get("origin") is not None and not is_same_origin(request.headers)):
        raise Forbidden(LOCAL_ONLY + " (and from IIB's own page)")


def _launch(args: List[str]) -> None:
    try:
        subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         close_fds=True, start_new_session=True)
    except OSError as exc:
        raise FileOperationFailed(f"Cannot start {args[0]}: {exc.strerror or exc}") from None


def reveal_in_file_manager(path: str) -> None:  # pragma: no cover - never run by tests
    if sys.platform == "win32":
        _launch(["explorer", "/select," + path])
    elif sys.platform == "darwin":
        _launch(["open", "-R", path])
    else:
        _launch(["xdg-open", path if os.path.isdir(path) else os.path.dirname(path)])


def open_with_default_app(path: str) -> None:  # pragma: no cover - never run by tests
    if sys.platform == "win32":
        os.startfile(path)  # type: ignore[attr-defined]
    elif sys.platform == "darwin":
        _launch(["open", path])
    else:
        _launch(["xdg-open", path])


def list_files(ctx: IIBContext, gate: PathGate, folder_path: str):
    policy = ctx.policy
    if os.name == "nt" and folder_path == "/":  # pragma: no cover - Windows only
        return {"files": windows_drives(policy.may_navigate if policy.enabled else None)}
    folder = gate.locate(folder_path, navigate=True)
    if not os.path.exists(folder.real):
        return {"files": []}
    if not os.path.isdir(folder.real):
        raise BadInput(f"[Errno 20] Not a directory: '{folder_path}'")
    inside = policy.may_read(folder.real)
    allowed = (policy.may_read if inside else policy.may_navigate) if policy.enabled else None
    try:
        nodes = list_folder(folder.real, folder.shown, under_scanned=policy.under_roots(folder.real),
                            allowed=allowed, check_every_entry=not inside)
    except PermissionError as exc:
        raise Forbidden(str(exc)) from None
    except OSError as exc:
        raise BadInput(str(exc)) from None
    # Straight to JSON: FastAPI's generic encoder costs seconds on 200,000 entries.
    return ListingResponse({"files": nodes})


def file_info(gate: PathGate, raw: str, fmt: DateFormatter) -> dict:
    """One entry of /batch_get_files_info: the node, a broken or looping link as such, or {}."""
    loc = gate.locate(raw, navigate=True)
    name = os.path.basename(loc.shown)
    try:
        st = os.stat(loc.real)
    except OSError as exc:
        # A broken or looping link is shown as such; anything else is missing (the
        # walk-mode client then sees a changed node).
        kind = link_failure_kind(exc)
        try:
            own = os.lstat(loc.entry) if kind else None
        except OSError:
            own = None
        is_link = own is not None and stat.S_ISLNK(own.st_mode)
        return special_node(name, raw, kind, own, True, fmt) if kind and is_link else {}
    return node_from_stat(name, raw, st, True, fmt, real_path=loc.real) or {}


class CoverCache:
    """A folder's first media files (its cover), kept until the folder's modification time moves."""

    def __init__(self, size: int = COVER_CACHE_SIZE) -> None:
        self.size = size
        self.entries: OrderedDict[Tuple[str, str], Tuple[int, list]] = OrderedDict()
        self.lock = threading.Lock()

    def covers(self, ctx: IIBContext, gate: PathGate, paths: List[str]) -> Dict[str, list]:
        located = [gate.locate(raw) for raw in paths]  # all checked before any is read
        return {raw: self.cover(ctx, shown=loc.shown, real=loc.real) for raw, loc in zip(paths, located)}

    def cover(self, ctx: IIBContext, *, shown: str, real: str) -> list:
        policy = ctx.policy
        try:
            mtime = os.stat(real).st_mtime_ns
        except OSError:
            return []
        key = (shown, real)
        with self.lock:
            hit = self.entries.get(key)
        if hit is not None and hit[0] >= mtime:
            return hit[1]
        try:
            items = top_media(real, shown, allowed=policy.may_read if policy.enabled else None)
        except OSError:
            items = []  # not a folder, or unreadable: no cover
        with self.lock:
            self.entries[key] = (mtime, items)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return items


def local_existing(gate: PathGate, request: Request, raw: str) -> str:
    """The real path of an existing file, for a request that may act on the server's desktop."""
    require_local(request)
    loc = gate.locate(raw)
    if not os.path.exists(loc.real):
        raise NotFound(f"{raw} does not exist")
    return loc.real


def build(ctx: IIBContext) -> APIRouter:
    router = APIRouter(dependencies=[Depends(secret_guard(ctx))])
    gate = PathGate(ctx.policy, ctx.sd_cwd)
    add_reading_routes(router, ctx, gate)
    add_changing_routes(router, ctx, gate)
    add_trash_routes(router, ctx, gate)
    return router


def add_reading_routes(router: APIRouter, ctx: IIBContext, gate: PathGate) -> None:
    covers = CoverCache()

    @router.get("/files")
    def files(request: Request, folder_path: str):
        return list_files(ctx, gate, query_text(request, "folder_path", folder_path))

    # response_model=None: pydantic-core's JSON serialiser replaces lone surrogates in dict
    # KEYS (paths of names that are not UTF-8) with U+FFFD; our encoder keeps them (wire.py).
    @router.post("/batch_get_files_info", response_model=None)
    def batch_get_files_info(body: PathsBody) -> Dict[str, dict]:
        fmt = DateFormatter()
        return {raw: file_info(gate, raw, fmt) for raw in body.paths}

    @router.post("/check_path_exists", response_model=None)
    def check_path_exists(body: PathsBody) -> Dict[str, bool]:
        return {raw: gate.exists_and_allowed(raw) for raw in body.paths}

    @router.post("/batch_top_4_media_info", response_model=None)
    def batch_top_4_media_info(body: PathsBody) -> Dict[str, list]:
        return covers.covers(ctx, gate, body.paths)



def add_changing_routes(router: APIRouter, ctx: IIBContext, gate: PathGate) -> None:
    writable = [Depends(write_guard(ctx))]

    def operations() -> FileOperations:
        return file_operations(ctx, gate)

    @router.post("/mkdirs", dependencies=writable)
    def mkdirs(body: MkdirsBody) -> None:
        operations().mkdirs(body.dest_folder)
        return None

    @router.post("/delete_files", dependencies=writable)
    def delete_files(body: DeleteBody) -> dict:
        items = operations().delete(body.file_paths, permanent=body.permanent)
        return {"ok": True, "items": items}

    @router.post("/copy_files", dependencies=writable)
    def copy_files(body: TransferBody) -> dict:
        return operations().copy(body.file_paths, body.dest, create_dest_folder=body.create_dest_folder,
                                 continue_on_error=body.continue_on_error, overwrite=body.overwrite).as_dict()

    @router.post("/move_files", dependencies=writable)
    def move_files(body: TransferBody) -> dict:
        return operations().move(body.file_paths, body.dest, create_dest_folder=body.create_dest_folder,
                                 continue_on_error=body.continue_on_error, overwrite=body.overwrite).as_dict()

    @router.post("/db/rename", dependencies=writable)
    def rename(body: RenameBody) -> dict:
        new_path = operations().rename(body.path, body.name, overwrite=body.overwrite)
        return {"detail": "File renamed successfully", "new_path": new_path}

    @router.post("/open_folder", dependencies=writable)
    def open_folder(body: PathBody, request: Request) -> None:
        reveal_in_file_manager(local_existing(gate, request, body.path))
        return None

    @router.post("/open_with_default_app", dependencies=writable)
    def open_default_app(body: PathBody, request: Request) -> None:
        open_with_default_app(local_existing(gate, request, body.path))
        return None



def add_trash_routes(router: APIRouter, ctx: IIBContext, gate: PathGate) -> None:
    writable = [Depends(write_guard(ctx))]

    def operations() -> FileOperations:
        return file_operations(ctx, gate)

    @router.get("/trash")
    def trash_list() -> dict:
        return {"items": describe(operations().trash_items(), DateFormatter())}

    @router.post("/trash/restore", dependencies=writable)
    def trash_restore(body: TrashIdsBody) -> dict:
        return {"restored": operations().restore(body.ids)}

    @router.post("/trash/empty", dependencies=writable)
    def trash_empty(body: TrashEmptyBody) -> dict:
        if body.ids is None and not body.all:
            raise BadInput('Say which items to delete for good: "ids": [...], or "all": true')
        return {"deleted": operations().empty_trash(None if body.ids is None else body.ids)}
