"""Dependencies shared by the routers: the secret key and the write permission."""
from __future__ import annotations

from typing import Callable

from starlette.requests import Request

from ..errors import Forbidden, IIBError, Unauthorized
from ..security import request_knows_secret
from .context import IIBContext

WRITE_DENIED = "User is not authorized to perform this action. Required permission: read-write, write-only"
OPEN_BIND_READONLY = ("This server is reachable from other machines and has no secret key, so it is read-only: "
                      "set IIB_SECRET_KEY to allow changes (or set IIB_ACCESS_CONTROL_PERMISSION=read-write to "
                      "let anyone who reaches it change files)")


class SecretKeyRequired(IIBError):
    status = 400


def secret_guard(ctx: IIBContext) -> Callable[[Request], None]:
    """Router dependency: every route but /hello and the static UI needs the secret, when set."""

    def check_secret(request: Request) -> None:
        secret = ctx.settings.secret_key
        if not secret:
            if ctx.secret_required:
                raise SecretKeyRequired({"type": "secret_key_required"})
            return
        if not request_knows_secret(secret, request.cookies, request.headers.get("authorization")):
            raise Unauthorized({"type": "secret_verification_failed"})

    return check_secret


def write_guard(ctx: IIBContext) -> Callable[[], None]:
    def check_write() -> None:
        if ctx.open_bind_readonly:
            raise Forbidden(OPEN_BIND_READONLY)
        if ctx.readonly:
            raise Forbidden(WRITE_DENIED)

    return check_write
