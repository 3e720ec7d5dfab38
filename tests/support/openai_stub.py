"""A real HTTP server on 127.0.0.1 that speaks the OpenAI protocol, for tests.

    with OpenAIStub() as stub:
        env = {"OPENAI_BASE_URL": stub.base_url, "OPENAI_API_KEY": "sk-test"}

* `POST /v1/embeddings` computes real vectors: a deterministic bag-of-words hashing
  encoder (each word adds ±1 at two hashed positions, then the vector is normalised),
  so prompts that share words are similar and unrelated prompts are nearly orthogonal.
* `POST /v1/chat/completions` answers a forced function call with arguments derived
  from the request: `name_topic` gets the most frequent words of the prompts it was
  sent as title and keywords (title prefixed with the requested language's code);
  `group_tags` groups the tags it was sent by their first letter. Without tools it
  answers with a text that quotes the last user message.
* `stub.fail(kind, times=1, endpoint=None)` makes the next `times` requests fail:
  `429`, `500`, `400`, `401`, `malformed` (HTTP 200 with a body that is not JSON),
  `wrong_schema` (HTTP 200, valid JSON of the wrong shape), `slow` (answers after
  `stub.slow_seconds`).
* `stub.requests` records every request: (path, decoded JSON body).
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List, Optional, Tuple

import numpy as np

DIM = 256
_WORD = re.compile(r"[a-z][a-z0-9'-]+")
STOP = {"the", "and", "with", "of", "in", "on", "at", "a", "an", "by", "to", "for", "prompts", "topic", "one",
        "language", "english", "german", "chinese", "simplified", "traditional"}


def hashing_vector(text: str, dim: int = DIM) -> List[float]:
    vec = np.zeros(dim, dtype=np.float64)
    for word in _WORD.findall(text.lower()):
        digest = hashlib.sha256(word.encode("utf-8")).digest()
        for k in (0, 4):
            idx = int.from_bytes(digest[k:k + 4], "little") % dim
            vec[idx] += 1.0 if digest[k + 8] & 1 else -1.0
    norm = np.linalg.norm(vec)
    if norm == 0:
        vec[0] = 1.0
        norm = 1.0
    return [float(x) for x in vec / norm]


class OpenAIStub:
    def __init__(self, dim: int = DIM, api_key: Optional[str] = None) -> None:
        self.dim = dim
        self.api_key = api_key
        self.requests: List[Tuple[str, dict]] = []
        self.slow_seconds = 3.0
        self._failures: List[Tuple[str, Optional[str]]] = []
        self._lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                return None

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = None
                stub._handle(self, self.path, body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="openai-stub", daemon=True)

    # -- control ----------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> OpenAIStub:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(self, kind: str, times: int = 1, endpoint: Optional[str] = None) -> None:
        with self._lock:
            self._failures.extend([(kind, endpoint)] * times)

    def clear(self) -> None:
        with self._lock:
            self._failures.clear()
            self.requests.clear()

    def calls(self, endpoint: str) -> List[dict]:
        return [b for p, b in list(self.requests) if p.endswith(endpoint)]

    def embedded_texts(self) -> List[str]:
        out: List[str] = []
        for body in self.calls("/embeddings"):
            inp = body.get("input") if isinstance(body, dict) else None
            out.extend(inp if isinstance(inp, list) else [inp])
        return out

    # -- serving ---------------------------------------------------------------------
    def _next_failure(self, path: str) -> Optional[str]:
        with self._lock:
            for i, (kind, endpoint) in enumerate(self._failures):
                if endpoint is None or path.endswith(endpoint):
                    del self._failures[i]
                    return kind
        return None

    @staticmethod
    def _send(handler, status: int, payload, raw: Optional[bytes] = None, headers: Optional[Dict[str, str]] = None):
        data = raw if raw is not None else json.dumps(payload).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            handler.send_header(k, v)
        handler.end_headers()
        handler.wfile.write(data)

    def _handle(self, handler, path: str, body) -> None:
        with self._lock:
            self.requests.append((path, body))
        if self.api_key and handler.headers.get("authorization") != f"Bearer {self.api_key}":
            return self._send(handler, 401, {"error": {"message": "Incorrect API key provided", "type": "auth"}})
        failure = self._next_failure(path)
        if failure == "429":
            return self._send(handler, 429, {"error": {"message": "Rate limit reached", "type": "rate_limit"}},
                              headers={"Retry-After": "0"})
        if failure in ("500", "400", "401"):
            return self._send(handler, int(failure), {"error": {"message": f"stub failure {failure}"}})
        if failure == "malformed":
            return self._send(handler, 200, None, raw=b'{"data": [ this is not json')
        if failure == "slow":
            time.sleep(self.slow_seconds)
        if not isinstance(body, dict):
            return self._send(handler, 400, {"error": {"message": "body is not JSON"}})
        if path.endswith("/embeddings"):
            return self._embeddings(handler, body, failure == "wrong_schema")
        if path.endswith("/chat/completions"):
            return self._chat(handler, body, failure == "wrong_schema")
        return self._send(handler, 404, {"error": {"message": f"unknown endpoint {path}"}})

    def _embeddings(self, handler, body: dict, wrong: bool) -> None:
        inputs = body.get("input")
        inputs = [inputs] if isinstance(inputs, str) else inputs
        if not isinstance(inputs, list) or not all(isinstance(t, str) for t in inputs):
            return self._send(handler, 400, {"error": {"message": "input must be a string or a list of strings"}})
        if wrong:
            return self._send(handler, 200, {"object": "list", "data": [{"vector": [1, 2]} for _ in inputs]})
        data = [{"object": "embedding", "index": i, "embedding": hashing_vector(t, self.dim)}
                for i, t in enumerate(inputs)]
        return self._send(handler, 200, {"object": "list", "data": data, "model": body.get("model"),
                                         "usage": {"prompt_tokens": 0, "total_tokens": 0}})

    def _chat(self, handler, body: dict, wrong: bool) -> None:
        messages = body.get("messages") or []
        user = next((m.get("content") for m in reversed(messages) if isinstance(m, dict) and m.get("role") == "user"),
                    "") or ""
        reply: Dict[str, object] = {"role": "assistant", "content": None}
        tools = body.get("tools") or []
        if wrong:
            reply = {"role": "assistant", "content": "I would rather not call a function."}
        elif tools:
            name = tools[0]["function"]["name"]
            args = self._tool_arguments(name, str(user))
            reply["tool_calls"] = [{"id": "call_1", "type": "function",
                                    "function": {"name": name, "arguments": json.dumps(args)}}]
        else:
            reply["content"] = f"stub reply to: {user}"
        return self._send(handler, 200, {
            "id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
            "model": body.get("model"), "choices": [{"index": 0, "message": reply,
                                                     "finish_reason": "tool_calls" if tools else "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}})

    @staticmethod
    def _tool_arguments(name: str, user: str) -> dict:
        if name == "name_topic":
            lang = re.search(r"Language: ([^\n]+)", user)
            code = {"English": "en", "German": "de", "Simplified Chinese": "zh-hans",
                    "Traditional Chinese": "zh-hant"}.get(lang.group(1).strip() if lang else "", "en")
            prompts = user.split("\n", 2)[-1]
            words = Counter(w for w in _WORD.findall(prompts.lower()) if w not in STOP)
            top = [w for w, _ in sorted(words.items(), key=lambda x: (-x[1], x[0]))[:6]]
            return {"title": f"{code}: {' '.join(top[:2])}", "keywords": top}
        if name == "group_tags":
            tags = [t for t in user.split("\n")[1:] if t.strip()]
            groups: Dict[str, List[str]] = {}
            for t in tags:
                groups.setdefault(t[0].upper(), []).append(t)
            return {"groups": [{"name": f"Group {k}", "tags": v} for k, v in sorted(groups.items())]}
        return {}
