"""Our exceptions to HTTP: one place, `{"detail": ...}` bodies (docs/api.md, "Conventions")."""
from __future__ import annotations

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse

from ..errors import IIBError
from .wire import WireJSONResponse


async def iib_error_handler(request: Request, exc: IIBError) -> JSONResponse:
    return WireJSONResponse({"detail": exc.detail}, status_code=exc.status)


async def validation_error_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's own 422 answer, through our encoder: the echoed input may hold a file name
    that is not UTF-8, which FastAPI's JSONResponse cannot encode."""
    return WireJSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    """Idempotent: mounting twice on one app adds the handler once."""
    if IIBError not in app.exception_handlers:
        app.add_exception_handler(IIBError, iib_error_handler)
    if app.exception_handlers.get(RequestValidationError) in (None, _fastapi_default_validation_handler()):
        app.add_exception_handler(RequestValidationError, validation_error_handler)


def _fastapi_default_validation_handler():
    from fastapi.exception_handlers import request_validation_exception_handler

    return request_validation_exception_handler
