"""Our exceptions to HTTP: one place, `{"detail": ...}` bodies (docs/api.md, "Conventions")."""
from __future__ import annotations

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse

from ..errors import IIBError


async def iib_error_handler(request: Request, exc: IIBError) -> JSONResponse:
    return JSONResponse({"detail": exc.detail}, status_code=exc.status)


def install_error_handlers(app: FastAPI) -> None:
    """Idempotent: mounting twice on one app adds the handler once."""
    if IIBError not in app.exception_handlers:
        app.add_exception_handler(IIBError, iib_error_handler)
