"""The HTTP API: `mount_iib(app, ctx)` on any FastAPI app, or `create_app(ctx)` standalone."""
from .app import build_context, create_app, mount_iib
from .context import DEFAULT_BASE, IIBContext

__all__ = ["build_context", "create_app", "mount_iib", "IIBContext", "DEFAULT_BASE"]
