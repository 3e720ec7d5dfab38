"""The secret key: cookie `IIB_S` (as the original UI sets it) or `Authorization: Bearer`."""
from __future__ import annotations

import hashlib
import hmac
from typing import Mapping, Optional

SECRET_COOKIE = "IIB_S"


def secret_cookie_value(secret: str) -> str:
    """`IIB_S` = lowercase hex SHA-256 of the secret followed by "_ciallo" (docs/api.md, "Conventions")."""
    return hashlib.sha256((secret + "_ciallo").encode("utf-8")).hexdigest()


def request_knows_secret(secret: str, cookies: Mapping[str, str], authorization: Optional[str]) -> bool:
    """True when the cookie or a Bearer token proves the secret; comparisons are constant-time."""
    expected_cookie = secret_cookie_value(secret).encode()
    cookie = cookies.get(SECRET_COOKIE)
    ok = False
    if cookie is not None:
        ok = hmac.compare_digest(cookie.strip().lower().encode("utf-8", "replace"), expected_cookie)
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer":
            given = token.strip().encode("utf-8", "replace")
            # Scripts may send the secret itself or the cookie value.
            ok = hmac.compare_digest(given, secret.encode("utf-8")) or \
                hmac.compare_digest(given.lower(), expected_cookie) or ok
    return ok
