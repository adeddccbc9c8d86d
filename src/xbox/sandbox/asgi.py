"""Serving the sandbox over HTTP: an ASGI adapter around ``Sandbox.answer`` and uvicorn.

Normal answers go out through ASGI. Injected faults that break HTTP itself (resets, lying
``Content-Length``, hangs; see :mod:`xbox.sandbox.faults`) are written straight to the
connection's socket: under :func:`serve_in_thread` the uvicorn protocol registers each
connection's transport, so that a reset is a real TCP RST and a truncated body really stops
short. Every wait is bounded (``MAX_PAUSE_SECONDS``) and ends when the server stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import http
import ipaddress
import logging
import socket
import struct
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import httpx

from .faults import Answer, FaultKind, claimed_length, cut_at, raw_body

if TYPE_CHECKING:
    from .app import Sandbox

__all__ = ["SERVE_NEEDS_UVICORN", "ServedSandbox", "is_loopback_host", "make_asgi_app",
           "run_server", "serve_in_thread"]

#: Why a sandbox cannot be served without uvicorn, and how to get it (in-process, through
#: ``Sandbox.transport()``, it needs nothing more).
SERVE_NEEDS_UVICORN = "serving the sandbox needs uvicorn: pip install 'xbox[sandbox]'"

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Peer = tuple[Any, Any]

log = logging.getLogger("xbox.sandbox")

# Faults written to the socket by hand (the rest are whole HTTP answers, sent through ASGI).
_ON_SOCKET = frozenset({
    FaultKind.TRANSPORT_ERROR, FaultKind.RESET, FaultKind.RESET_MID_BODY, FaultKind.TRUNCATED,
    FaultKind.CONTENT_LENGTH_SHORT, FaultKind.CONTENT_LENGTH_LONG, FaultKind.HANG_HEADERS,
    FaultKind.HANG_BODY,
})
_STEP = 0.05  # how often a wait looks whether it should end early

try:  # the kernel's count of unsent bytes on a socket (Linux)
    import fcntl
    import termios

    _TIOCOUTQ: int | None = termios.TIOCOUTQ
except (ImportError, AttributeError):  # pragma: no cover - other platforms
    _TIOCOUTQ = None


def is_loopback_host(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this machine (127.0.0.0/8, ::1, localhost).

    The sandbox has no real security: anyone who can reach it can sign in and read its data.
    """
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # another host name: it may resolve to any interface


class _Connections:
    """Each open connection's transport, by (server address, client address), and a flag that
    ends every injected wait when the server stops."""

    def __init__(self) -> None:
        self.transports: dict[Peer, asyncio.Transport] = {}
        self.stopping = threading.Event()


@dataclass
class ServedSandbox:
    """A sandbox served over HTTP: ``base_url`` is what ``XBOX_LIVE_BASE_URL`` should be."""

    sandbox: Sandbox
    host: str
    port: int
    stop_event: asyncio.Event | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


def make_asgi_app(sandbox: Sandbox, connections: _Connections | None = None,
                  ) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """Wrap the pure router as an ASGI app: request bytes in, the router's answer out.

    Without ``connections`` (another ASGI server), faults that need the socket are
    approximated: the server is left to close the connection after a failed response.
    """
    conns = connections or _Connections()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # Real-Time Activity (xbox.sandbox.websocket)
            from .websocket import serve_websocket

            await serve_websocket(sandbox, scope, receive, send, conns.transports, conns.stopping)
            return
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
        answer = sandbox.answer(request)
        kind = answer.kind
        peer = (_address(scope.get("server")), _address(scope.get("client")))
        transport = conns.transports.get(peer)
        if kind in _ON_SOCKET:
            if transport is None:
                await _approximate(answer, send)
            else:
                await _on_socket(answer, transport, conns, peer, head=request.method == "HEAD")
            return
        if kind is FaultKind.DELAY and answer.fault is not None:
            await _pause(answer.fault.pause_seconds(), conns, transport)
        rate = answer.fault.drip_rate() if kind is FaultKind.SLOW_DRIP and answer.fault else None
        await _send(answer.response, send, rate, conns, transport)

    return app


def _address(value: Any) -> Any:
    return tuple(value) if isinstance(value, (list, tuple)) else value


async def _send(response: httpx.Response, send: Send, rate: int | None, conns: _Connections,
                transport: asyncio.Transport | None) -> None:
    """Send a whole response through ASGI; with ``rate``, its body at that many bytes/s."""
    await send({
        "type": "http.response.start",
        "status": response.status_code,
        "headers": [(k.lower(), v) for k, v in response.headers.raw],
    })
    # The raw (still encoded) bytes: iterating the stream, not .content, which decodes gzip.
    if rate is None:
        for chunk in cast(Iterable[bytes], response.stream):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
    else:
        data = raw_body(response)
        step = max(1, rate // 10)
        start = time.monotonic()
        for offset in range(0, len(data), step):
            # Chunk n leaves at n * step / rate seconds: the body as a whole keeps the rate.
            if not await _pause(start + offset / rate - time.monotonic(), conns, transport):
                return
            await send({"type": "http.response.body", "body": data[offset:offset + step],
                        "more_body": True})
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _pause(seconds: float, conns: _Connections, transport: asyncio.Transport | None) -> bool:
    """Wait up to ``seconds``; False when the wait ended early (server stopping, client gone)."""
    deadline = time.monotonic() + seconds
    while True:
        if conns.stopping.is_set() or (transport is not None and transport.is_closing()):
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            return True
        await asyncio.sleep(min(left, _STEP))


def _head(response: httpx.Response, content_length: int, *, close: bool = False) -> bytes:
    """The status line and headers, with ``content_length`` whatever the body really is;
    ``close`` announces that the server closes the connection after this response."""
    try:
        reason = http.HTTPStatus(response.status_code).phrase
    except ValueError:
        reason = ""
    lines = [f"HTTP/1.1 {response.status_code} {reason}".encode("latin-1")]
    for name, value in response.headers.raw:
        if name.lower() not in (b"content-length", b"transfer-encoding"):
            lines.append(name + b": " + value)
    lines.append(b"content-length: " + str(content_length).encode())
    if close:
        lines.append(b"connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n"


async def _on_socket(answer: Answer, transport: asyncio.Transport, conns: _Connections,
                     peer: Peer, *, head: bool = False) -> None:
    """Play a fault that breaks HTTP on the connection itself, then end the connection.

    A HEAD answer has no body to damage: its headers go out (with the ``Content-Length`` of
    the body it describes, or the lie a ``content_length_*`` fault tells) and, as they make
    a whole response, ``Connection: close`` so that the client does not reuse a connection
    about to end; then the ending.
    """
    fault, response, kind = answer.fault, answer.response, answer.kind
    assert fault is not None
    body = b"" if head else raw_body(response)
    size = int(response.headers.get("content-length") or 0) if head else len(body)
    reset = kind in (FaultKind.TRANSPORT_ERROR, FaultKind.RESET, FaultKind.RESET_MID_BODY)
    if kind in (FaultKind.RESET_MID_BODY, FaultKind.TRUNCATED):
        transport.write(_head(response, size, close=head) + body[:cut_at(fault, body)])
    elif kind is FaultKind.CONTENT_LENGTH_SHORT:
        # The client stops reading at the claimed length and would reuse the connection,
        # racing the close below: say it will close, so the leftover bytes go with it.
        transport.write(_head(response, claimed_length(fault, size), close=True) + body)
    elif kind is FaultKind.CONTENT_LENGTH_LONG:
        transport.write(_head(response, claimed_length(fault, size), close=head) + body)
    elif kind is FaultKind.HANG_HEADERS:
        await _pause(fault.pause_seconds(), conns, transport)
    elif kind is FaultKind.HANG_BODY:
        transport.write(_head(response, size, close=head))
        await _pause(fault.pause_seconds(), conns, transport)
    if reset:
        await _flushed(transport)
        with contextlib.suppress(OSError, AttributeError):
            sock = transport.get_extra_info("socket")
            # Linger on, timeout 0: close() sends a TCP RST instead of a FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    else:
        transport.close()  # a FIN, after whatever was written
    # Let uvicorn see the connection go before the app returns, or it would answer a 500.
    deadline = time.monotonic() + 2.0
    while peer in conns.transports and time.monotonic() < deadline:
        await asyncio.sleep(0.005)


async def _flushed(transport: asyncio.Transport, timeout: float = 2.0) -> None:
    """Wait until what was written has left the process and the kernel (a reset drops the rest)."""
    deadline = time.monotonic() + timeout
    while transport.get_write_buffer_size() and not transport.is_closing() \
            and time.monotonic() < deadline:
        await asyncio.sleep(0.005)
    sock = transport.get_extra_info("socket")
    if sock is None or _TIOCOUTQ is None:
        await asyncio.sleep(0.05)  # no way to ask the kernel: give loopback a moment
        return
    while time.monotonic() < deadline:
        try:
            pending = struct.unpack("i", fcntl.ioctl(sock.fileno(), _TIOCOUTQ, b"\0\0\0\0"))[0]
        except OSError:
            return
        if pending == 0:
            return
        await asyncio.sleep(0.005)


async def _approximate(answer: Answer, send: Send) -> None:
    """Socket faults without the socket: start the response, then fail so the server drops it."""
    response = answer.response
    body = raw_body(response)
    fault = answer.fault
    assert fault is not None
    if answer.kind in (FaultKind.RESET_MID_BODY, FaultKind.TRUNCATED, FaultKind.HANG_BODY):
        await send({"type": "http.response.start", "status": response.status_code,
                    "headers": [(k.lower(), v) for k, v in response.headers.raw]})
        if answer.kind is not FaultKind.HANG_BODY:
            await send({"type": "http.response.body", "body": body[:cut_at(fault, body)],
                        "more_body": True})
    raise ConnectionAbortedError(f"injected fault: {answer.kind}")


def _protocol_class(conns: _Connections) -> type[asyncio.Protocol]:
    """uvicorn's h11 protocol, registering each connection's transport for socket faults."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class Protocol(H11Protocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            conns.transports[(_address(self.server), _address(self.client))] = transport

        def connection_lost(self, exc: Exception | None) -> None:
            super().connection_lost(exc)
            conns.transports.pop((_address(self.server), _address(self.client)), None)

    return Protocol


def _config(sandbox: Sandbox, host: str, port: int, conns: _Connections) -> Any:
    import uvicorn

    from .websocket import ws_protocol_class

    ws: Any
    try:
        ws = ws_protocol_class(conns.transports)
    except ModuleNotFoundError as exc:  # wsproto (the sandbox extra has it): no websockets
        if exc.name != "wsproto":
            raise
        log.warning("the served sandbox has no websockets (RTA) without wsproto: "
                    "pip install 'xbox[sandbox]'")
        ws = "none"
    return uvicorn.Config(make_asgi_app(sandbox, conns), host=host, port=port, log_level="warning",
                          lifespan="off", access_log=False, http=_protocol_class(conns),
                          ws=ws, timeout_graceful_shutdown=5)


@contextlib.contextmanager
def serve_in_thread(sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0,
                    timeout: float = 10.0) -> Iterator[ServedSandbox]:
    """Run uvicorn in a daemon thread until the ``with`` block ends.

    Raises:
        ModuleNotFoundError: uvicorn is not installed (``pip install 'xbox[sandbox]'``).
    """
    # uvicorn only when a sandbox is served (the sandbox extra): in-process it is not needed.
    try:
        import uvicorn
    except ModuleNotFoundError as exc:
        if exc.name != "uvicorn":
            raise
        raise ModuleNotFoundError(SERVE_NEEDS_UVICORN, name="uvicorn") from None

    conns = _Connections()
    server = uvicorn.Server(_config(sandbox, host, port, conns))
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
        conns.stopping.set()  # hangs, delays and drips end now
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
