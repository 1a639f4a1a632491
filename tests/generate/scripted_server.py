"""A tiny scripted OpenAI-compatible server on 127.0.0.1 (stdlib only) for edge cases a real
server will not produce on demand: 429 then success, a timeout, malformed JSON, a stream cut
mid-way. Each request pops the next action from ``script``; requests are recorded."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def completion(text: str, prompt_tokens: int = 50, completion_tokens: int = 9) -> dict:
    return {
        "id": "cmpl-1", "object": "chat.completion", "created": 0, "model": "scripted",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens},
    }


def chunk(text: str | None, finish: str | None = None, usage: dict | None = None) -> bytes:
    d = {"id": "c", "object": "chat.completion.chunk", "created": 0, "model": "scripted",
         "choices": [] if usage else [{"index": 0, "delta": {"content": text} if text is not None else {}, "finish_reason": finish}]}
    if usage:
        d["usage"] = usage
    return f"data: {json.dumps(d)}\n\n".encode()


class ScriptedServer:
    """``with ScriptedServer(["429", ("ok", "text")]) as s: s.base_url``"""

    def __init__(self, script: list) -> None:
        self.script = list(script)
        self.requests: list[dict] = []
        outer = self

        class H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):  # quiet
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(n) or b"{}")
                outer.requests.append({"path": self.path, "body": body, "headers": {k.lower(): v for k, v in self.headers.items()}})
                action = outer.script.pop(0) if outer.script else ("ok", "done [1].")
                kind, arg = (action, None) if isinstance(action, str) else action
                getattr(self, "_" + kind)(arg)

            def _send(self, code: int, payload: bytes, ctype="application/json", extra=None):
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)

            def _ok(self, text):
                self._send(200, json.dumps(completion(text)).encode())

            def _429(self, _):
                self._send(429, b'{"error": {"message": "rate limited"}}', extra={"Retry-After": "0"})

            def _500(self, _):
                self._send(500, b'{"error": {"message": "boom"}}')

            def _sleep(self, seconds):
                time.sleep(seconds)
                try:
                    self._send(200, json.dumps(completion("late")).encode())
                except OSError:
                    pass

            def _badjson(self, _):
                self._send(200, b'{"id": "x", "choices": [ {"message": ')

            def _stream(self, pieces):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for p in pieces:
                    self._chunk(chunk(p))
                self._chunk(chunk(None, "stop"))
                self._chunk(chunk(None, usage={"prompt_tokens": 40, "completion_tokens": len(pieces), "total_tokens": 40 + len(pieces)}))
                self._chunk(b"data: [DONE]\n\n")
                self.wfile.write(b"0\r\n\r\n")

            def _streamcut(self, pieces):
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for p in pieces:
                    self._chunk(chunk(p))
                self.wfile.flush()
                self.close_connection = True  # no final chunk: the body is cut mid-way

            def _chunk(self, data: bytes):
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self) -> ScriptedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
