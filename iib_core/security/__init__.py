"""Who may touch which path, and whether a request knows the secret.

Only this package decides whether a path may be used: every route and file operation
asks `AccessPolicy` after it resolved the real path.
"""
from .auth import SECRET_COOKIE, request_knows_secret, secret_cookie_value
from .paths import AccessPolicy, is_below_lexically, is_within, normalize_path, resolve_path

__all__ = ["AccessPolicy", "is_below_lexically", "is_within", "normalize_path", "resolve_path", "SECRET_COOKIE",
           "request_knows_secret",
           "secret_cookie_value"]
