"""Exceptions of our own, mapped to HTTP in one place (`api/errors.py`)."""
from __future__ import annotations

from typing import Any


class IIBError(Exception):
    """Base class: `status` is the HTTP status, `detail` the JSON `detail` sent to clients."""

    status = 400

    def __init__(self, detail: Any = None) -> None:
        super().__init__(detail)
        self.detail = detail if detail is not None else self.default_detail()

    @classmethod
    def default_detail(cls) -> str:
        return {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
                409: "Conflict", 413: "Too Large", 416: "Range Not Satisfiable",
                501: "Not Implemented"}.get(cls.status, "Error")


class BadInput(IIBError):
    status = 400


class Unauthorized(IIBError):
    status = 401


class Forbidden(IIBError):
    status = 403


class NotFound(IIBError):
    status = 404


class Conflict(IIBError):
    status = 409


class TooLarge(IIBError):
    status = 413


class RangeNotSatisfiable(IIBError):
    status = 416


class NotImplementedYet(IIBError):
    status = 501
