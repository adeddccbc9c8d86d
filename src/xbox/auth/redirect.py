"""A one-shot HTTP listener on 127.0.0.1 that receives the browser sign-in's redirect.

login.live.com sends the browser back to ``http://127.0.0.1:PORT/auth/callback?code=..&state=..``;
this listener (stdlib ``http.server`` in a daemon thread) keeps the first such answer, shows
the person a "you can close this window" page, and is closed by its owner. It never logs the
query: the code is as good as a password for five minutes.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .msa import RedirectResult

__all__ = ["CALLBACK_PATH", "RedirectListener", "RedirectResult"]

CALLBACK_PATH = "/auth/callback"

_DONE_PAGE = (b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
              b"<title>xbox: signed in</title></head><body><p>Sign-in finished. You can close "
              b"this window and return to the terminal.</p></body></html>")
_ERROR_PAGE = (b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
               b"<title>xbox: sign-in failed</title></head><body><p>Sign-in did not complete. "
               b"Return to the terminal for details.</p></body></html>")


class _Server(HTTPServer):
    result: RedirectResult | None
    done: threading.Event
    callback_path: str
    expected_state: str | None


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path != self.server.callback_path or not ({"code", "error"} & query.keys()):
            self._answer(404, b"Not found")
            return
        if self.server.result is None:
            self.server.result = RedirectResult(
                code=query.get("code"), state=query.get("state"), error=query.get("error"),
                error_description=query.get("error_description"))
            self.server.done.set()
        # Tell the person the truth: an error, or an answer not for this sign-in, failed.
        expected = self.server.expected_state
        failed = "error" in query or (expected is not None and query.get("state") != expected)
        self._answer(200, _ERROR_PAGE if failed else _DONE_PAGE)

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        # The default writes the request line (with the code) to stderr: say nothing.
        return


class RedirectListener:
    """Listen on ``127.0.0.1:port`` (0 = a free port) for one sign-in redirect.

    Use as a context manager; :attr:`redirect_uri` is what to register and send, and
    :meth:`result` is None until the browser has come back. ``expected_state`` only picks
    the page the person sees; the caller still checks the state itself.
    """

    def __init__(self, port: int = 0, path: str = CALLBACK_PATH,
                 expected_state: str | None = None) -> None:
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.result = None
        self._server.done = threading.Event()
        self._server.callback_path = path
        self._server.expected_state = expected_state
        self._path = path
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="xbox-sign-in-listener", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}{self._path}"

    def result(self) -> RedirectResult | None:
        """The browser's answer, once it arrived."""
        return self._server.result

    def wait(self, timeout: float) -> RedirectResult | None:
        """Block up to ``timeout`` seconds for the answer (for sync callers and tests)."""
        self._server.done.wait(timeout)
        return self._server.result

    def close(self) -> None:
        """Stop listening (idempotent)."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> RedirectListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
