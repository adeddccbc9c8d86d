"""Serving the sandbox over HTTP: an ASGI adapter around ``Sandbox.handle`` and uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, MutableMapping
from typing import TYPE_CHECKING, Any, cast

import httpx

if TYPE_CHECKING:
    from .app import Sandbox, ServedSandbox

__all__ = ["make_asgi_app", "run_server", "serve_in_thread"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

log = logging.getLogger("xbox.sandbox")


def make_asgi_app(sandbox: Sandbox) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """Wrap the pure router as an ASGI app: request bytes in, the router's response out."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        raw_path = scope.get("raw_path") or scope["path"].encode()
        query = scope.get("query_string", b"")
        server = scope.get("server") or ("127.0.0.1", 80)
        url = f"http://{server[0]}:{server[1]}" + raw_path.decode("latin-1")
        if query:
            url += "?" + query.decode("latin-1")
        headers = [(k, v) for k, v in scope["headers"]]
        request = httpx.Request(scope["method"], httpx.URL(url), headers=headers, content=body)
        try:
            response = sandbox.handle(request)
        except httpx.TransportError:
            # An injected transport fault: promise a body, then drop the connection.
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-length", b"1000")]})
            raise
        delay = response.extensions.get("xbox_sandbox_delay")
        if delay:
            await asyncio.sleep(delay)  # Fault(delay=...): a slow server
        await send({
            "type": "http.response.start",
            "status": response.status_code,
            "headers": [(k.lower(), v) for k, v in response.headers.raw],
        })
        # The raw (still encoded) bytes: iterating the stream, not .content, which decodes gzip.
        chunks = cast(Iterable[bytes], response.stream)
        try:
            for chunk in chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except httpx.TransportError:
            raise  # a truncated body: uvicorn closes the connection mid-response
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    return app


def _config(sandbox: Sandbox, host: str, port: int) -> Any:
    import uvicorn

    return uvicorn.Config(sandbox.asgi(), host=host, port=port, log_level="warning",
                          lifespan="off", access_log=False)


@contextlib.contextmanager
def serve_in_thread(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0,
                    timeout: float = 10.0) -> Iterator[ServedSandbox]:
    """Run uvicorn in a daemon thread until the ``with`` block ends."""
    import uvicorn

    from .app import ServedSandbox

    server = uvicorn.Server(_config(sandbox, host, port))
    # Signal handlers can only be installed by the main thread; the caller owns signals.
    server.install_signal_handlers = lambda: None  # type: ignore[attr-defined]
    def run() -> None:
        # uvicorn sys.exit()s when it cannot bind; uvicorn has logged why, and the caller
        # learns it below from the thread ending before the server started.
        with contextlib.suppress(SystemExit):
            server.run()

    thread = threading.Thread(target=run, name="xbox-sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise OSError(f"the sandbox could not start on {host}:{port} (is the port in use?)")
        time.sleep(0.01)
    bound = server.servers[0].sockets[0].getsockname()
    try:
        yield ServedSandbox(sandbox, host, int(bound[1]))
    finally:
        server.should_exit = True
        thread.join(timeout)


def run_server(sandbox: Sandbox, host: str, port: int,
               on_ready: Callable[[str], None] | None = None) -> None:
    """Serve in the foreground until interrupted; call ``on_ready(base_url)`` once bound."""
    with serve_in_thread(sandbox, host, port) as served:
        if on_ready is not None:
            on_ready(served.base_url)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
