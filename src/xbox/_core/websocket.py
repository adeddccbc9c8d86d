"""A websocket after its handshake, as plain functions over wsproto (RFC 6455): no socket.

The handshake itself is an HTTP request that the client sends through its one send path
(sign-in, base-URL mapping, retries, the 401 refresh): :func:`handshake_headers` are its
extra headers and :func:`handshake_problem` reads the ``101 Switching Protocols`` answer.
After it, :class:`Frames` turns bytes read from the connection into text messages and the
bytes to write back (pongs, the closing handshake), and messages to send into bytes. The
clients' read and write loops (``xbox._async.rta``) are the only code that touches the
socket.

wsproto is the sans-I/O websocket library of the python-hyper project (h11's); it is the
``events`` extra (``pip install 'xbox[events]'``), imported by this module only.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..exceptions import MissingDependency

try:
    from wsproto.connection import Connection, ConnectionState, ConnectionType
    from wsproto.events import BytesMessage, CloseConnection, Ping, Pong, TextMessage
    from wsproto.utilities import LocalProtocolError, RemoteProtocolError
except ModuleNotFoundError as exc:  # pragma: no cover - exercised by a subprocess test
    if (exc.name or "").split(".")[0] != "wsproto":
        raise
    raise MissingDependency.extra("events", "real-time events", "wsproto") from None

__all__ = ["GUID", "Frames", "Received", "accept_key", "handshake_headers", "handshake_problem",
           "new_key"]

#: RFC 6455 §1.3: the GUID a server appends to the client's key to prove it read it.
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

#: The close code when the peer broke the protocol (RFC 6455 §7.4.1).
PROTOCOL_ERROR = 1002


def new_key() -> str:
    """A fresh ``Sec-WebSocket-Key``: 16 random bytes, base64."""
    return base64.b64encode(secrets.token_bytes(16)).decode("ascii")


def accept_key(key: str) -> str:
    """The ``Sec-WebSocket-Accept`` a server must answer ``key`` with."""
    return base64.b64encode(hashlib.sha1((key + GUID).encode("ascii")).digest()).decode("ascii")


def handshake_headers(key: str, subprotocol: str) -> dict[str, str]:
    """The headers that turn a ``GET`` into a websocket handshake for ``subprotocol``."""
    return {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": key, "Sec-WebSocket-Protocol": subprotocol}


def handshake_problem(status: int, headers: Mapping[str, str], key: str,
                      subprotocol: str) -> str | None:
    """What is wrong with a handshake's answer (None: it opened the websocket).

    Args:
        headers: the answer's headers (case-insensitive, as httpx gives them).
    """
    if status != 101:
        return f"the server answered HTTP {status} instead of switching to a websocket"
    if headers.get("upgrade", "").lower() != "websocket":
        return "the server switched to something other than a websocket"
    if headers.get("sec-websocket-accept", "") != accept_key(key):
        return "the server's Sec-WebSocket-Accept does not answer our key"
    chosen = headers.get("sec-websocket-protocol")
    if chosen is not None and chosen != subprotocol:
        return f"the server chose the subprotocol {chosen!r}, not {subprotocol!r}"
    return None


@dataclass
class Received:
    """What some bytes read from the connection amounted to.

    Attributes:
        messages: whole text messages, in order (a binary message is decoded as UTF-8).
        reply: bytes to write back now (pongs, our half of a closing handshake).
        pongs: how many pongs arrived (answers to our pings).
        closed: the peer closed (or broke) the connection: ``(code, reason)``.
    """

    messages: list[str] = field(default_factory=list)
    reply: bytes = b""
    pongs: int = 0
    closed: tuple[int, str] | None = None


class Frames:
    """The frames of one open websocket, client side: a thin layer over wsproto."""

    def __init__(self) -> None:
        self._ws = Connection(ConnectionType.CLIENT)
        self._partial: list[str] = []

    @property
    def open(self) -> bool:
        """Whether messages can still be sent."""
        return self._ws.state is ConnectionState.OPEN

    def receive(self, data: bytes | None) -> Received:
        """Take bytes read from the connection (None: it ended) and say what they meant."""
        out = Received()
        if self._ws.state is ConnectionState.CLOSED:
            out.closed = (1006, "the connection is closed")
            return out
        replies: list[bytes] = []
        try:
            self._ws.receive_data(data)
            for event in self._ws.events():
                if isinstance(event, TextMessage | BytesMessage):
                    self._partial.append(_text(event))
                    if event.message_finished:
                        out.messages.append("".join(self._partial))
                        self._partial = []
                elif isinstance(event, Ping):
                    replies.append(self._ws.send(event.response()))
                elif isinstance(event, Pong):
                    out.pongs += 1
                elif isinstance(event, CloseConnection):
                    if self._ws.state is ConnectionState.REMOTE_CLOSING:
                        replies.append(self._ws.send(event.response()))
                    out.closed = (event.code, event.reason or "")
        except RemoteProtocolError as exc:
            out.closed = (PROTOCOL_ERROR, f"protocol error: {exc}")
        out.reply = b"".join(replies)
        return out

    def text(self, message: str) -> bytes:
        """The bytes of a text message."""
        return self._ws.send(TextMessage(data=message))

    def ping(self, payload: bytes = b"") -> bytes:
        """The bytes of a ping (the peer answers with a pong)."""
        return self._ws.send(Ping(payload=payload))

    def close(self, code: int = 1000, reason: str = "") -> bytes:
        """The bytes of our closing handshake (nothing when it is closing already)."""
        try:
            return self._ws.send(CloseConnection(code=code, reason=reason))
        except LocalProtocolError:
            return b""


def _text(event: TextMessage | BytesMessage) -> str:
    # RTA speaks text; a binary frame (which no source shows) is read as UTF-8 all the same.
    if isinstance(event, TextMessage):
        return event.data
    return bytes(event.data).decode("utf-8", "replace")
