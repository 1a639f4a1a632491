"""Request guard for the HTTP server: per-client rate limit, bearer token, body size limit.

One pure ASGI middleware (it does not buffer or wrap streamed responses), applied in this
order to every HTTP request:

1. **rate limit** — a token bucket per client IP address (``rate`` tokens per second,
   ``burst`` capacity); an empty bucket answers ``429`` with ``Retry-After`` (whole seconds).
   ``/healthz`` and the static page are exempt. Counting before authentication also slows
   down token guessing.
2. **bearer token** — when a token is configured, every path except the public ones needs
   ``Authorization: Bearer <token>``, compared with :func:`hmac.compare_digest` (constant
   time); otherwise ``401`` with ``WWW-Authenticate: Bearer``.
3. **body size** — a declared ``Content-Length`` over the limit answers ``413`` at once; a
   chunked body is counted as it arrives and cut off with ``413`` when it passes the limit.
"""

from __future__ import annotations

import hmac
import json
import math
import threading
import time
from collections.abc import Callable, Iterable

from starlette.exceptions import HTTPException


class TokenBucket:
    """Token buckets keyed by client (Turner's token bucket, as in RFC 2697's meters).

    Args:
        rate: tokens added per second (≥ 0; 0 disables limiting).
        burst: bucket capacity (tokens; ≥ 1).
        clock: monotonic clock in seconds (injectable for tests).
        max_clients: buckets kept; when exceeded, full (idle) buckets are dropped.
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic, max_clients: int = 10_000) -> None:
        self.rate = float(rate)
        self.burst = max(1, int(burst))
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """Whether limiting is on (``rate > 0``)."""
        return self.rate > 0

    def take(self, key: str) -> float:
        """Take one token for ``key``.

        Returns:
            0.0 when the request may proceed, else the seconds until a token is available.
        """
        if not self.enabled:
            return 0.0
        now = self.clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[key] = (tokens, now)
                wait = (1.0 - tokens) / self.rate
            if len(self._buckets) > self.max_clients:
                self._prune(now)
        return wait

    def _prune(self, now: float) -> None:
        full_after = self.burst / self.rate
        for k, (_t, last) in list(self._buckets.items()):
            if now - last >= full_after:
                del self._buckets[k]


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit.

    An :class:`HTTPException` so that FastAPI's body parsing re-raises it unchanged (it turns
    other exceptions into ``400``) and its exception middleware answers ``413``.
    """

    def __init__(self, detail: str) -> None:
        super().__init__(status_code=413, detail=detail)


async def _send_json(send, status: int, detail: str, headers: Iterable[tuple[str, str]] = ()) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """ASGI middleware applying the rate limit, the bearer token and the body size limit.

    Args:
        app: the wrapped ASGI app.
        token: the API token, or ``None``/empty for no authentication.
        max_body_bytes: largest accepted request body (bytes).
        limiter: a :class:`TokenBucket` (``rate=0`` disables limiting).
        public: predicate on the request path: no token needed.
        unlimited: predicate on the request path: not rate limited.
        uploads: predicate on the request path: a route that takes file uploads, whose bodies may
            reach ``max_upload_bytes`` instead.
        max_upload_bytes: largest accepted body on an upload route (bytes).
    """

    def __init__(
        self,
        app,
        token: str | None,
        max_body_bytes: int,
        limiter: TokenBucket,
        public: Callable[[str], bool],
        unlimited: Callable[[str], bool],
        uploads: Callable[[str], bool] = lambda path: False,
        max_upload_bytes: int = 0,
    ) -> None:
        self.app = app
        self.token = token.encode() if token else None
        self.max_body_bytes = int(max_body_bytes)
        self.limiter = limiter
        self.public = public
        self.unlimited = unlimited
        self.uploads = uploads
        self.max_upload_bytes = max(int(max_upload_bytes), self.max_body_bytes)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        client = (scope.get("client") or ("unknown", 0))[0]
        if self.limiter.enabled and not self.unlimited(path):
            wait = self.limiter.take(client)
            if wait > 0:
                retry = max(1, math.ceil(wait))
                await _send_json(
                    send, 429,
                    f"rate limit exceeded: at most {self.limiter.rate:g} requests per second per client "
                    f"(bursts of {self.limiter.burst}); retry after {retry} s",
                    [("Retry-After", str(retry))],
                )
                return
        if self.token is not None and not self.public(path) and not self._authorised(scope):
            await _send_json(
                send, 401, "missing or invalid bearer token: send the header 'Authorization: Bearer <MEDCITE_API_TOKEN>'",
                [("WWW-Authenticate", "Bearer")],
            )
            return
        limit, setting = (self.max_upload_bytes, "MEDCITE_MAX_UPLOAD_BYTES") if self.uploads(path) else (self.max_body_bytes, "MEDCITE_MAX_BODY_BYTES")
        declared = self._content_length(scope)
        if declared is not None and declared > limit:
            await _send_json(send, 413, self._too_large_message(declared, limit, setting))
            return
        await self._call_counting(scope, receive, send, limit, setting)

    def _authorised(self, scope) -> bool:
        for k, v in scope.get("headers", []):
            if k == b"authorization":
                scheme, _, value = v.partition(b" ")
                if scheme.lower() == b"bearer":
                    return hmac.compare_digest(value.strip(), self.token)
                return False
        return False

    @staticmethod
    def _content_length(scope) -> int | None:
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    return int(v)
                except ValueError:
                    return None
        return None

    def _too_large_message(self, size: int | None = None, limit: int | None = None, setting: str = "MEDCITE_MAX_BODY_BYTES") -> str:
        got = f" ({size} bytes sent)" if size is not None else ""
        return f"request body too large{got}: the limit is {limit or self.max_body_bytes} bytes ({setting})"

    async def _call_counting(self, scope, receive, send, limit: int | None = None, setting: str = "MEDCITE_MAX_BODY_BYTES") -> None:
        limit = limit or self.max_body_bytes
        seen = 0
        started = False

        async def counting_receive():
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(self._too_large_message(None, limit, setting))
            return msg

        async def tracking_send(msg):
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge as e:
            if not started:
                await _send_json(send, 413, e.detail)
