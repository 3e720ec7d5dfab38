"""The HTTP API: `mount_iib(app, ctx)` on any FastAPI app, or `create_app(ctx)` standalone.

Every route, its request, answer and status codes: docs/api.md.
"""
from .app import build_context, create_app, mount_iib
from .context import DEFAULT_BASE, IIBContext

__all__ = ["build_context", "create_app", "mount_iib", "IIBContext", "DEFAULT_BASE"]
