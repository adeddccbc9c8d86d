"""One websocket to the Real-Time Activity service: open it, send, read, close.

The handshake is an ordinary request through the client's one send path
(:meth:`AsyncClient._send`): it is signed in (and refreshed once after a 401), mapped to
the base URL, retried after transport errors and 5xx answers, and read as any other answer
when it is refused. The ``101`` answer hands over the connection's network stream (httpx's
``network_stream`` extension, which every httpx transport gives an upgraded connection,
the sandbox's in-process one included); frames are :class:`xbox._core.websocket.Frames`'
business. Nothing runs in the background: the caller reads when it wants messages.

This is the source of truth; ``xbox._sync.rta`` is generated from it.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any

from .._core.call import Call
from .._core.errors import error_for_response
from .._core.rta import CONNECT_URL, HOST, SUBPROTOCOL
from .._core.websocket import Frames, Received, handshake_headers, handshake_problem, new_key
from ..exceptions import TransportError

if TYPE_CHECKING:
    import httpx

    from .client import AsyncClient

__all__ = ["AsyncRtaSocket", "open_socket"]

log = logging.getLogger("xbox")

#: The most bytes one read takes from the connection.
READ_SIZE = 65536
#: The handshake's budget (retries included): a service that will not upgrade within it is
#: reconnected to later, with backoff.
HANDSHAKE_BUDGET = 30.0


class AsyncRtaSocket:
    """An open RTA websocket (see the module's docstring). Use :func:`open_socket`."""

    def __init__(self, response: httpx.Response, stream: Any) -> None:
        self._response = response
        self._stream = stream
        self._frames = Frames()
        self.closed: tuple[int, str] | None = None

    async def send(self, text: str) -> None:
        """Send one text message.

        Raises:
            TransportError: the connection is gone (it counts as closed from then on).
        """
        await self._write(self._frames.text(text))

    async def ping(self) -> None:
        """Send a ping: a live peer answers with a pong (:attr:`Received.pongs`)."""
        await self._write(self._frames.ping(b"xbox"))

    async def receive(self, timeout: float) -> Received:
        """Read what arrives within ``timeout`` seconds (an empty :class:`Received` if
        nothing does); ``received.closed`` says the connection ended."""
        import httpcore

        if self.closed is not None:
            return Received(closed=self.closed)
        try:
            data = await self._stream.read(READ_SIZE, max(timeout, 0.001))
        except httpcore.TimeoutException:
            return Received()
        except (httpcore.NetworkError, httpcore.ProtocolError, OSError) as exc:
            log.debug("RTA connection lost: %s", type(exc).__name__)
            self.closed = (1006, f"the connection was lost ({type(exc).__name__})")
            return Received(closed=self.closed)
        received = self._frames.receive(data or None)
        if received.reply:
            with contextlib.suppress(TransportError):  # it is closing anyway
                await self._write(received.reply)
        if received.closed is not None:
            self.closed = received.closed
        return received

    async def aclose(self, code: int = 1000, reason: str = "") -> None:
        """Close the websocket (our closing handshake, when it is still open) and the
        connection under it."""
        if self.closed is None:
            self.closed = (code, reason)
            try:
                await self._stream.write(self._frames.close(code, reason))
            except Exception as exc:  # the peer may be gone already: nothing to tell it
                log.debug("RTA close not sent: %s", type(exc).__name__)
        try:
            await self._stream.aclose()
        finally:
            await self._response.aclose()

    async def _write(self, data: bytes) -> None:
        import httpcore

        if not data:
            return
        try:
            await self._stream.write(data)
        except (httpcore.NetworkError, httpcore.TimeoutException, OSError) as exc:
            self.closed = (1006, f"the connection was lost ({type(exc).__name__})")
            raise TransportError(f"the connection to {HOST} was lost", service=HOST) from None


async def open_socket(client: AsyncClient) -> AsyncRtaSocket:
    """Open a websocket to RTA as the client's signed-in user.

    Raises:
        AuthenticationException / PermissionDenied / ...: the handshake was refused (the
            exception of its status, as for any request).
        TransportError: no connection, or an answer that is not a websocket.
    """
    key = new_key()
    call = Call("GET", CONNECT_URL, headers=handshake_headers(key, SUBPROTOCOL), authorize=True,
                idempotent=True, governed=True, stream=True, budget=HANDSHAKE_BUDGET)
    response = await client._send(call)
    problem = handshake_problem(response.status_code, response.headers, key, SUBPROTOCOL)
    if problem is None:
        stream = response.extensions.get("network_stream")
        if stream is not None:
            return AsyncRtaSocket(response, stream)
        problem = "the HTTP transport cannot open websockets"
    try:
        if response.status_code >= 400:
            await response.aread()
            raise error_for_response(response, host=HOST)
        raise TransportError(f"{HOST}: {problem}", service=HOST)
    finally:
        await response.aclose()
