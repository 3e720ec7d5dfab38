"""An OpenAI-compatible HTTP client (httpx): `/embeddings` and `/chat/completions`.

Retries with exponential backoff on 429 and 5xx answers and on connection failures
(honouring `Retry-After`, capped); a timeout is not retried (the user already waited).
Every failure ends as a `ProviderError` whose detail names the endpoint and quotes the
provider; an answer that does not have the documented shape is a failure too.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence

import httpx

from .errors import NotConfigured, ProviderError, provider_status_for

log = logging.getLogger("iib.ai")

RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 30.0
BODY_QUOTE = 600  # characters of a provider's error body passed on


class OpenAIClient:
    def __init__(self, base_url: str, api_key: Optional[str], *, timeout: float = 60.0, max_retries: int = 3,
                 backoff: float = 0.5, sleep: Callable[[float], None] = time.sleep,
                 transport: Optional[httpx.BaseTransport] = None) -> None:
        if not base_url:
            raise NotConfigured("OPENAI_BASE_URL is not set")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.max_retries = max(0, int(max_retries))
        self.backoff = backoff
        self._sleep = sleep
        self._transport = transport
        # One connection pool (and TLS context: ~0.1 s to build) for the life of the client.
        self._http: Optional[httpx.Client] = httpx.Client(timeout=self.timeout, transport=transport)
        self._http_lock = threading.Lock()

    def _client(self) -> httpx.Client:
        with self._http_lock:
            if self._http is None:
                self._http = httpx.Client(timeout=self.timeout, transport=self._transport)
            return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    # -- plumbing -------------------------------------------------------------------
    def _headers(self) -> Dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        return headers

    def post_json(self, endpoint: str, body: Dict[str, Any], what: str) -> Any:
        """POST `body` to `<base>/<endpoint>` and return the decoded JSON answer."""
        url = f"{self.base_url}/{endpoint.lstrip('/')}"
        attempt = 0
        http = self._client()
        while True:
            try:
                resp = http.post(url, json=body, headers=self._headers())
            except httpx.TimeoutException as exc:
                raise ProviderError(f"{what} request timeout after {self.timeout:g}s: {exc or type(exc).__name__}",
                                    status=504) from None
            except httpx.HTTPError as exc:
                if attempt < self.max_retries:
                    self._wait(attempt, None)
                    attempt += 1
                    continue
                raise ProviderError(f"{what} connection failed: {exc or type(exc).__name__}") from None
            if resp.status_code in RETRY_STATUSES and attempt < self.max_retries:
                log.info("%s answered %d; retry %d of %d", url, resp.status_code, attempt + 1, self.max_retries)
                self._wait(attempt, resp.headers.get("retry-after"))
                attempt += 1
                continue
            if resp.status_code != 200:
                quote = resp.text[:BODY_QUOTE]
                raise ProviderError(f"{what} failed: the provider answered HTTP {resp.status_code}: {quote}",
                                    status=provider_status_for(resp.status_code),
                                    provider_status=resp.status_code)
            try:
                return resp.json()
            except ValueError:
                raise ProviderError(f"{what} failed: the provider's answer is not JSON: "
                                    f"{resp.text[:200]!r}") from None

    def _wait(self, attempt: int, retry_after: Optional[str]) -> None:
        delay = self.backoff * (2 ** attempt)
        if retry_after:
            try:
                delay = min(MAX_RETRY_AFTER, max(0.0, float(retry_after)))
            except ValueError:
                pass
        if delay > 0:
            self._sleep(delay)

    # -- embeddings -----------------------------------------------------------------
    def embed(self, texts: Sequence[str], model: str) -> List[List[float]]:
        """One vector per text, in order; raises ProviderError for any answer outside the contract."""
        if not texts:
            return []
        data = self.post_json("embeddings", {"model": model, "input": list(texts)}, "Embedding API")
        items = data.get("data") if isinstance(data, dict) else None
        if not isinstance(items, list) or len(items) != len(texts):
            got = len(items) if isinstance(items, list) else "no"
            raise ProviderError(f"Embedding API returned {got} vectors for {len(texts)} texts")
        out: List[Optional[List[float]]] = [None] * len(texts)
        dim = None
        for pos, item in enumerate(items):
            if not isinstance(item, dict):
                raise ProviderError("Embedding API returned an item that is not an object")
            index = item.get("index", pos)
            vec = item.get("embedding")
            if not isinstance(index, int) or not 0 <= index < len(texts) or out[index] is not None:
                raise ProviderError(f"Embedding API returned a bad index: {index!r}")
            if not isinstance(vec, list) or not vec:
                raise ProviderError("Embedding API returned empty vector")
            if not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in vec):
                raise ProviderError("Embedding API returned a vector with non-numeric values")
            if dim is None:
                dim = len(vec)
            elif len(vec) != dim:
                raise ProviderError("Embedding API returned vectors of different lengths")
            out[index] = vec
        return out  # type: ignore[return-value]

    # -- chat -----------------------------------------------------------------------
    def chat(self, body: Dict[str, Any]) -> Dict[str, Any]:
        """A chat completion, returned as the provider sent it (checked to be an object)."""
        data = self.post_json("chat/completions", body, "Chat API")
        if not isinstance(data, dict) or not isinstance(data.get("choices"), list) or not data["choices"]:
            raise ProviderError("Chat API answer has no choices")
        return data

    def call_tool(self, model: str, messages: List[Dict[str, Any]], tool: Dict[str, Any],
                  temperature: float = 0.2) -> Dict[str, Any]:
        """Force one function call and return its decoded arguments (an object).

        The provider must call `tool` with JSON arguments; plain text, another tool, or
        arguments that are not a JSON object are a ProviderError.
        """
        name = tool["name"]
        body = {"model": model, "messages": messages, "temperature": temperature,
                "tools": [{"type": "function", "function": tool}],
                "tool_choice": {"type": "function", "function": {"name": name}}}
        data = self.chat(body)
        message = data["choices"][0].get("message") if isinstance(data["choices"][0], dict) else None
        calls = message.get("tool_calls") if isinstance(message, dict) else None
        if not isinstance(calls, list) or not calls:
            raise ProviderError(f"Chat API did not call the function {name!r} (model {model})")
        fn = calls[0].get("function") if isinstance(calls[0], dict) else None
        if not isinstance(fn, dict) or fn.get("name") != name:
            raise ProviderError(f"Chat API called {fn.get('name') if isinstance(fn, dict) else fn!r} "
                                f"instead of {name!r}")
        raw = fn.get("arguments")
        try:
            args = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            raise ProviderError(f"Chat API returned function arguments that are not JSON: {str(raw)[:200]!r}") from None
        if not isinstance(args, dict):
            raise ProviderError("Chat API returned function arguments that are not a JSON object")
        return args
