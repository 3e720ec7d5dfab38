"""A reverse proxy that strips a path prefix, as in front of a webui started with
--subpath (A1111/Forge give the prefix to gradio as a root path).
HTTP only (the pages, the IIB UI and its API); real uvicorn in a thread."""
from __future__ import annotations

import httpx

from support.server import LiveServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length",
              "proxy-authorization", "proxy-authenticate"}


class StripPrefixProxy:
    def __init__(self, prefix: str, upstream: str) -> None:
        self.prefix = "/" + prefix.strip("/")
        self.upstream = upstream.rstrip("/")

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            await send({"type": "websocket.close", "code": 1000})
            return
        path = scope["path"]
        if path != self.prefix and not path.startswith(self.prefix + "/"):
            await send({"type": "http.response.start", "status": 404, "headers": []})
            await send({"type": "http.response.body", "body": b"outside the prefix"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        rest = path[len(self.prefix):] or "/"
        query = scope.get("query_string", b"").decode("latin-1")
        url = self.upstream + rest + ("?" + query if query else "")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]
                   if k.decode("latin-1").lower() not in HOP_BY_HOP and k.lower() != b"accept-encoding"]
        async with httpx.AsyncClient(timeout=60) as client:
            response = await client.request(scope["method"], url, headers=headers, content=body)
        out_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers.items()
                       if k.lower() not in HOP_BY_HOP and k.lower() != "content-encoding"]
        out_headers.append((b"content-length", str(len(response.content)).encode()))
        await send({"type": "http.response.start", "status": response.status_code, "headers": out_headers})
        await send({"type": "http.response.body", "body": response.content})


def strip_proxy(prefix: str, upstream: str) -> LiveServer:
    return LiveServer(StripPrefixProxy(prefix, upstream))
