"""Errors of the semantic layer, as honest HTTP statuses (docs/api.md, "AI routes").

A provider problem is never the client's fault, so it is a 502 (bad answer, connection
failure, provider 5xx), 504 (timeout) or 429 (still rate-limited after the retries).
A provider 4xx (bad key, unknown model, input rejected) is a 400: the request as
configured cannot work. 401 is never passed on, because the UI reads a 401 as "ask for
the IIB secret key".
"""
from __future__ import annotations

from ..errors import BadInput, IIBError


class ProviderError(IIBError):
    """The provider failed or answered outside the contract (502 unless `status` says otherwise)."""

    status = 502

    def __init__(self, detail: str, status: int = 502, provider_status: int = 0) -> None:
        super().__init__(detail)
        self.status = status
        self.provider_status = provider_status  # the provider's HTTP status, 0 when it sent none


class NotConfigured(BadInput):
    """No model is available for what was asked (no provider set up, no local model)."""


def provider_status_for(status: int) -> int:
    """The status we answer with when the provider answered `status` (after retries)."""
    if status == 429:
        return 429
    if 400 <= status < 500:
        return 400
    return 502
