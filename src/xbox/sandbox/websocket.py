"""The sandbox's websockets (RTA's), on a socket or in-process.

The handshake is an ordinary request that the router answers
(:func:`xbox.sandbox.services.rta.connect`): ``101`` with a session, or a refusal. After it:

* **Served** (uvicorn): :func:`serve_websocket` runs an ASGI websocket: it hands the
  client's messages to the session and sends what the session has for the client. uvicorn
  frames them (its wsproto implementation); :func:`ws_protocol_class` registers each
  connection's transport so that a test can cut it mid-stream (:meth:`RtaHub.drop`).
* **In-process** (:class:`SandboxTransport`, what ``sandbox.transport()`` returns): the
  ``101`` answer carries a network stream, as httpx's own transports give one to an
  upgraded connection, whose other end is :class:`InProcessSocket`: wsproto's server side
  over memory. Sync and async clients both read it.

Either way the sandbox's clock and its world's schedule are looked at every
:data:`STEP` seconds while a connection waits, so that changes reach it without a request.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

import httpcore
import httpx

if TYPE_CHECKING:
    from .app import Sandbox
    from .services.rta import RtaSession

__all__ = ["STEP", "InProcessSocket", "SandboxTransport", "accept_key", "serve_websocket",
           "ws_protocol_class"]

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

#: How often (seconds) a waiting connection looks at the clock, the schedule and its outbox.
STEP = 0.05
_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 §1.3


def accept_key(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` for a client's ``Sec-WebSocket-Key`` (RFC 6455 §4.2.2)."""
    return base64.b64encode(hashlib.sha1((key + _GUID).encode("ascii")).digest()).decode("ascii")


# -- in-process ----------------------------------------------------------------------------------

class InProcessSocket:
    """The server end of an in-process websocket: wsproto frames around an RTA session.

    ``write`` takes the client's bytes, ``read_now`` gives the bytes for the client. A
    dropped session (:meth:`RtaHub.drop`) fails both, as a reset connection would.
    """

    def __init__(self, sb: Sandbox, session: RtaSession) -> None:
        from wsproto.connection import Connection, ConnectionType

        self.sb = sb
        self.session = session
        self._ws = Connection(ConnectionType.SERVER)
        self._out = bytearray()
        self._lock = threading.Lock()
        self._closing = False  # our close frame is queued
        self.ended = False  # no more bytes will come

    def write(self, data: bytes) -> None:
        """Bytes from the client."""
        from wsproto.connection import ConnectionState
        from wsproto.events import BytesMessage, CloseConnection, Ping, TextMessage
        from wsproto.utilities import RemoteProtocolError

        if self.session.dropped:
            raise httpcore.WriteError("the connection was reset")
        texts = []
        with self._lock:
            if self._ws.state is ConnectionState.CLOSED:
                raise httpcore.WriteError("the connection is closed")
            try:
                self._ws.receive_data(data)
                for event in self._ws.events():
                    if isinstance(event, TextMessage):
                        texts.append(event.data)  # RTA is text; fragments are joined by wsproto
                    elif isinstance(event, BytesMessage):
                        texts.append(bytes(event.data).decode("utf-8", "replace"))
                    elif isinstance(event, Ping):
                        self._out += self._ws.send(event.response())
                    elif isinstance(event, CloseConnection):
                        if self._ws.state is ConnectionState.REMOTE_CLOSING:
                            self._out += self._ws.send(event.response())
                        self.ended = True
            except RemoteProtocolError:
                self.ended = True
        for text in texts:
            if text:
                self.session.receive(text)
        if self.ended:
            self.sb.rta.closed(self.session)

    def read_now(self, max_bytes: int) -> bytes | None:
        """Bytes for the client now, b"" once the connection ended, None: nothing yet."""
        from wsproto.events import CloseConnection, TextMessage

        if self.session.dropped:
            self.sb.rta.closed(self.session)
            raise httpcore.ReadError("the connection was reset")
        self.sb.tick()
        with self._lock:
            if not self._closing and not self.ended:
                for text in self.session.take():
                    self._out += self._ws.send(TextMessage(data=text))
                ending = self.session.check(self.sb.clock())
                if ending is not None:
                    self._out += self._ws.send(CloseConnection(code=ending[0], reason=ending[1]))
                    self._closing = True
            if self._out:
                chunk = bytes(self._out[:max_bytes])
                del self._out[:max_bytes]
                return chunk
            if self._closing or self.ended:
                self.ended = True
                self.sb.rta.closed(self.session)
                return b""
        return None

    def _attempt(self, max_bytes: int, deadline: float | None) -> tuple[bytes | None, float]:
        """Bytes for the client now, else how long to pause before looking again (a
        ``ReadTimeout`` once ``deadline`` passed, as httpcore's streams raise)."""
        chunk = self.read_now(max_bytes)
        if chunk is not None:
            return chunk, 0.0
        left = STEP if deadline is None else deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("no data from the sandbox in time")
        return None, min(left, STEP)

    def read(self, max_bytes: int, timeout: float | None) -> bytes:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            chunk, pause = self._attempt(max_bytes, deadline)
            if chunk is not None:
                return chunk
            time.sleep(pause)

    async def aread(self, max_bytes: int, timeout: float | None) -> bytes:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            chunk, pause = self._attempt(max_bytes, deadline)
            if chunk is not None:
                return chunk
            await asyncio.sleep(pause)

    def close(self) -> None:
        if not self.ended:
            self.ended = True
            self.sb.rta.closed(self.session)


class _SyncStream(httpcore.NetworkStream):
    """httpcore's sync network stream over an :class:`InProcessSocket`."""

    def __init__(self, socket: InProcessSocket) -> None:
        self.socket = socket

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.socket.read(max_bytes, timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.socket.write(buffer)

    def close(self) -> None:
        self.socket.close()

    def get_extra_info(self, info: str) -> Any:
        return None


class _AsyncStream(httpcore.AsyncNetworkStream):
    """httpcore's async network stream over an :class:`InProcessSocket`."""

    def __init__(self, socket: InProcessSocket) -> None:
        self.socket = socket

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self.socket.aread(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.socket.write(buffer)

    async def aclose(self) -> None:
        self.socket.close()

    def get_extra_info(self, info: str) -> Any:
        return None


class SandboxTransport(httpx.MockTransport):
    """``sandbox.transport()``: the router in-process, for sync and async httpx clients, and
    websocket handshakes answered with a network stream to the sandbox's socket (the
    ``network_stream`` extension httpx's transports give an upgraded connection)."""

    def __init__(self, sb: Sandbox) -> None:
        super().__init__(sb.handle)
        self.sb = sb

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        session = response.extensions.get("xbox_sandbox_rta")
        if session is not None:
            response.extensions["network_stream"] = _SyncStream(InProcessSocket(self.sb, session))
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await super().handle_async_request(request)
        session = response.extensions.get("xbox_sandbox_rta")
        if session is not None:
            response.extensions["network_stream"] = _AsyncStream(InProcessSocket(self.sb, session))
        return response


# -- served ----------------------------------------------------------------------------------------

def _peer(scope: Scope) -> tuple[Any, Any]:
    def address(value: Any) -> Any:
        return tuple(value) if isinstance(value, list | tuple) else value

    return address(scope.get("server")), address(scope.get("client"))


async def serve_websocket(sb: Sandbox, scope: Scope, receive: Receive, send: Send,
                          transports: MutableMapping[Any, asyncio.Transport],
                          stopping: threading.Event) -> None:
    """Run one ASGI websocket: the router answers its handshake, the session its messages."""
    raw_path = scope.get("raw_path") or scope["path"].encode()
    server = scope.get("server") or ("127.0.0.1", 80)
    url = f"http://{server[0]}:{server[1]}" + raw_path.decode("latin-1")
    if scope.get("query_string"):
        url += "?" + scope["query_string"].decode("latin-1")
    headers = list(scope["headers"])
    if scope.get("subprotocols") and not any(k.lower() == b"sec-websocket-protocol"
                                             for k, _ in headers):
        # uvicorn's wsproto server hands the offered subprotocols apart from the headers.
        headers.append((b"sec-websocket-protocol", ", ".join(scope["subprotocols"]).encode()))
    request = httpx.Request("GET", httpx.URL(url), headers=headers)
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    answer = await asyncio.to_thread(sb.answer, request)
    response = answer.response
    session = response.extensions.get("xbox_sandbox_rta")
    if response.status_code != 101 or session is None:
        await _deny(scope, send, response)
        return
    await send({"type": "websocket.accept", "subprotocol": response.headers.get(
        "sec-websocket-protocol"), "headers": [
        (k.lower(), v) for k, v in response.headers.raw
        if k.lower() not in (b"upgrade", b"connection", b"sec-websocket-accept",
                             b"sec-websocket-protocol")]})
    peer = _peer(scope)
    wake = asyncio.Event()  # set when the client's message was answered: send it at once
    reader = asyncio.create_task(_read_client(session, receive, wake))
    try:
        while not reader.done():
            if session.dropped or stopping.is_set():
                transport = transports.get(peer)
                if transport is not None:
                    transport.abort()  # a lost network: no closing handshake
                break
            await asyncio.to_thread(sb.tick)
            for text in session.take():
                await send({"type": "websocket.send", "text": text})
            ending = session.check(sb.clock())
            if ending is not None:
                await send({"type": "websocket.close", "code": ending[0], "reason": ending[1]})
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), STEP)
            wake.clear()
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
        sb.rta.closed(session)


async def _read_client(session: RtaSession, receive: Receive, wake: asyncio.Event) -> None:
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None and message.get("bytes") is not None:
                text = bytes(message["bytes"]).decode("utf-8", "replace")
            if text:
                await asyncio.to_thread(session.receive, text)
                wake.set()
    finally:
        wake.set()


async def _deny(scope: Scope, send: Send, response: httpx.Response) -> None:
    """Refuse a handshake with the router's answer (its status, headers and body)."""
    if "websocket.http.response" in scope.get("extensions", {}):
        await send({"type": "websocket.http.response.start", "status": response.status_code,
                    "headers": [(k.lower(), v) for k, v in response.headers.raw
                                if k.lower() not in (b"connection", b"upgrade")]})
        await send({"type": "websocket.http.response.body", "body": response.content})
    else:
        await send({"type": "websocket.close", "code": 1008})


def ws_protocol_class(transports: MutableMapping[Any, asyncio.Transport]) -> type[asyncio.Protocol]:
    """uvicorn's wsproto websocket protocol, registering each connection's transport (so that
    :func:`serve_websocket` can cut it)."""
    from uvicorn.protocols.websockets.wsproto_impl import WSProtocol

    class Protocol(WSProtocol):
        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            transports[(self.server, self.client)] = transport

        def connection_lost(self, exc: Exception | None) -> None:
            super().connection_lost(exc)
            transports.pop((self.server, self.client), None)

    return Protocol
