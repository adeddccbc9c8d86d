"""rta.xboxlive.com: the Real-Time Activity service, a websocket that pushes what changes.

A client opens ``wss://rta.xboxlive.com/connect`` with the subprotocol
``rta.xboxlive.com.V2`` and its ``Authorization: XBL3.0 x=uhs;token`` (or, as the Node
clients do, ``?nonce=`` from ``GET /nonce``), then exchanges JSON arrays:

* ``[1, SEQ, URI]`` subscribe -> ``[1, SEQ, 0, SUB_ID, DATA]`` (DATA: the resource now), or
  ``[1, SEQ, STATUS, "why"]``;
* ``[2, SEQ, SUB_ID]`` unsubscribe -> ``[2, SEQ, STATUS]``;
* ``[3, SUB_ID, DATA]`` an event, whenever a subscribed resource changes;
* ``[4]`` resync: events may have been lost, read the resources again.

Statuses: 0 success, 1 unknown resource, 2 subscription limit reached, 3 no resource data
(access denied), 1001 throttled, 1002 service unavailable. Each fact's source, and what is
assumed, is listed in ``docs/sandbox.rst`` ("Real-Time Activity").

This module is the service's logic, with no socket: :class:`RtaHub` (every connection of a
sandbox, and what the world pushes to them) and :class:`RtaSession` (one connection's
subscriptions). :mod:`xbox.sandbox.websocket` carries their messages over a socket, served
(uvicorn) or in-process (the sandbox's httpx transport).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx

from .._http import Call, empty, json_response, route
from .presence import record as presence_record

if TYPE_CHECKING:
    from ..app import Sandbox
    from ..world import Account, Title

__all__ = ["RtaHub", "RtaSession"]

HOST = r"rta\.xboxlive\.com"
SUBPROTOCOL = "rta.xboxlive.com.V2"

SUBSCRIBE, UNSUBSCRIBE, EVENT, RESYNC = 1, 2, 3, 4
SUCCESS, UNKNOWN_RESOURCE, LIMIT_REACHED, NO_RESOURCE_DATA = 0, 1, 2, 3
THROTTLED, SERVICE_UNAVAILABLE = 1001, 1002

#: "Best Practices for the RTA service", Throttles: UserStats 1000, Presence 2500 (per
#: connection here: the sandbox's reading of "per instance of an application").
LIMITS = {"stats": 1000, "presence": 2500}
#: "RTA connections are closed after two hours by design".
CONNECTION_LIFETIME = 2 * 3600.0
#: How long a nonce from ``GET /nonce`` may be used, once (no source: the sandbox's choice).
NONCE_LIFETIME = 300.0
# Close codes (RFC 6455 §7.4.1; which ones Xbox Live sends is not documented).
GOING_AWAY, POLICY_VIOLATION = 1001, 1008

_XUID = r"xuid\((\d+)\)"
# uri pattern -> (kind, throttle group)
_RESOURCES: list[tuple[re.Pattern[str], str, str | None]] = [
    (re.compile(rf"https://userpresence\.xboxlive\.com/users/{_XUID}/richpresence", re.I),
     "presence", "presence"),
    (re.compile(rf"https://userpresence\.xboxlive\.com/users/{_XUID}/devices", re.I),
     "devices", "presence"),
    (re.compile(rf"https://userpresence\.xboxlive\.com/users/{_XUID}/titles/(\d+)", re.I),
     "titles", "presence"),
    (re.compile(rf"https://achievements\.xboxlive\.com/users/{_XUID}/achievements/"
                r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})", re.I),
     "achievements", None),
    (re.compile(rf"https://userstats\.xboxlive\.com/users/{_XUID}/scids/"
                r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/stats/([^/?#]+)",
                re.I), "stats", "stats"),
    (re.compile(rf"https?://social\.xboxlive\.com/users/{_XUID}/friends", re.I), "friends", None),
]


@dataclass(frozen=True)
class Target:
    """A resource URI, read: what it is about."""

    kind: str
    group: str | None
    account: Account
    title: Title | None = None
    stat: str | None = None


def canonical(uri: str) -> str:
    """The form subscriptions are matched in (host and GUIDs are case-insensitive)."""
    return uri.strip().lower()


# -- what each resource says ---------------------------------------------------------------------

def rich_presence(sb: Sandbox, account: Account) -> dict[str, Any]:
    """A ``/richpresence`` payload, in the shape xbox-rta's README shows (the XSAPI test
    fixture ``richPresenceResponse`` has its first keys: devicetype, titleid, string1,
    string2). ``xuid`` is a JSON number there, as it is here."""
    online = account.presence_state == "Online"
    title = account.last_seen_title
    device = account.last_seen_device if online else ""
    text = sb.activity.rich_presence_text(account) if online and title is not None else ""
    shown = (title.name if title is not None else "Online") if online else "Offline"
    details = []
    if online and title is not None:
        details.append({"isBroadcasting": False, "device": device, "presenceText": title.name,
                        "state": "Active", "titleId": str(title.title_id), "isGame": True,
                        "isPrimary": True, "richPresenceText": text})
    return {"xuid": int(account.xuid), "devicetype": device,
            "titleid": title.title_id if online and title is not None else 0,
            "string1": title.name if online and title is not None else "", "string2": text,
            "presenceState": account.presence_state, "presenceText": shown,
            "presenceDetails": details}


def snapshot(sb: Sandbox, target: Target) -> Any:
    """The DATA of a successful subscribe: the resource's state now."""
    account = target.account
    if target.kind == "presence":
        return rich_presence(sb, account)
    if target.kind in ("devices", "titles"):
        # XSAPI reads these answers as a presence record (XblPresenceRecord::Deserialize).
        return presence_record(sb, account, "title")
    if target.kind == "stats":
        assert target.title is not None and target.stat is not None
        value = sb.activity.stat_value(account, target.title, target.stat)
        return {"name": target.stat, "type": "Integer", "value": value}
    # achievements and friends: XSAPI has no OnSubscribe for them; its mock answers null.
    return None


def read_target(sb: Sandbox, uri: str, caller: Account) -> Target | int:
    """What ``uri`` is about, or the status that refuses it."""
    for pattern, kind, group in _RESOURCES:
        m = pattern.fullmatch(uri.strip())
        if m is None:
            continue
        account = sb.world.by_xuid.get(m.group(1))
        if account is None:
            return NO_RESOURCE_DATA
        if kind == "friends" and account.xuid != caller.xuid:
            return NO_RESOURCE_DATA  # one's own social graph only
        title: Title | None = None
        stat = None
        if kind == "titles":
            title = next((t for t in sb.world.titles if str(t.title_id) == m.group(2)), None)
            if title is None:
                return NO_RESOURCE_DATA
        elif kind in ("achievements", "stats"):
            title = next((t for t in sb.world.titles if t.scid.lower() == m.group(2).lower()), None)
            if title is None:
                return UNKNOWN_RESOURCE
            if kind == "stats":
                stat = unquote(m.group(3))
        return Target(kind, group, account, title, stat)
    return UNKNOWN_RESOURCE


# -- one connection ---------------------------------------------------------------------------

@dataclass
class RtaSession:
    """One websocket connection's subscriptions and the messages waiting to go out.

    Thread-safe: the socket's loop calls :meth:`receive` and :meth:`take` while the world
    (another thread, or a test) pushes events through the hub.
    """

    hub: RtaHub
    account: Account
    token_expires: float
    opened: float
    token: str = ""  # a digest of the Authorization that opened it
    subscriptions: dict[int, str] = field(default_factory=dict)  # sub id -> canonical uri
    groups: dict[int, str | None] = field(default_factory=dict)
    received: list[str] = field(default_factory=list)  # every message the client sent
    sent: list[str] = field(default_factory=list)  # every message sent to the client
    closed: tuple[int, str] | None = None
    dropped: bool = False  # a test control cut the socket (no closing handshake)
    _next_id: int = 0
    _outbox: deque[str] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- the socket's side --------------------------------------------------------------------
    def receive(self, text: str) -> None:
        """A text message from the client: answer it (answers wait in the outbox)."""
        sb = self.hub.sb
        with sb.lock:
            self.received.append(text)
            try:
                msg = json.loads(text)
            except ValueError:
                return  # not JSON: nothing to answer (see docs/sandbox.rst)
            if not isinstance(msg, list) or len(msg) < 3 or not all(
                    isinstance(v, int) and not isinstance(v, bool) for v in msg[:2]):
                return
            if msg[0] == SUBSCRIBE and isinstance(msg[2], str):
                self._subscribe(msg[1], msg[2])
            elif msg[0] == UNSUBSCRIBE and isinstance(msg[2], int):
                self._unsubscribe(msg[1], msg[2])

    def take(self) -> list[str]:
        """The messages waiting to be sent, oldest first (and the outbox emptied)."""
        with self._lock:
            out = list(self._outbox)
            self._outbox.clear()
        return out

    def pending(self) -> bool:
        with self._lock:
            return bool(self._outbox)

    def check(self, now: float) -> tuple[int, str] | None:
        """Whether the service ends the connection now: ``(code, reason)``."""
        if self.closed is None:
            if now >= self.token_expires:
                # Best practices: "when the authentication token for the user expires, the
                # session will be terminated by the service".
                self.closed = (POLICY_VIOLATION, "token expired")
            elif now >= self.opened + CONNECTION_LIFETIME:
                self.closed = (GOING_AWAY, "connection lifetime reached")
        return self.closed

    # -- the protocol ---------------------------------------------------------------------------
    def _send(self, message: list[Any]) -> None:
        text = json.dumps(message, separators=(",", ":"))
        with self._lock:
            self._outbox.append(text)
            self.sent.append(text)

    def _subscribe(self, sequence: int, uri: str) -> None:
        sb = self.hub.sb
        if self.hub.unavailable:
            self._send([SUBSCRIBE, sequence, SERVICE_UNAVAILABLE, "service unavailable"])
            return
        target = read_target(sb, uri, self.account)
        if isinstance(target, int):
            why = {UNKNOWN_RESOURCE: "unknown resource", NO_RESOURCE_DATA: "no resource data"}
            self._send([SUBSCRIBE, sequence, target, why[target]])
            return
        if target.group is not None:
            held = sum(1 for g in self.groups.values() if g == target.group)
            if held >= LIMITS[target.group]:
                self._send([SUBSCRIBE, sequence, LIMIT_REACHED, "subscription limit reached"])
                return
        sub_id = self._next_id
        self._next_id += 1
        self.subscriptions[sub_id] = canonical(uri)
        self.groups[sub_id] = target.group
        self._send([SUBSCRIBE, sequence, SUCCESS, sub_id, snapshot(sb, target)])

    def _unsubscribe(self, sequence: int, sub_id: int) -> None:
        if sub_id not in self.subscriptions:
            self._send([UNSUBSCRIBE, sequence, UNKNOWN_RESOURCE])
            return
        del self.subscriptions[sub_id]
        del self.groups[sub_id]
        self._send([UNSUBSCRIBE, sequence, SUCCESS])

    def push(self, uri: str, data: Any) -> int:
        """An event for every subscription of this connection to ``uri``; how many."""
        key = canonical(uri)
        ids = [i for i, u in self.subscriptions.items() if u == key]
        for sub_id in ids:
            self._send([EVENT, sub_id, data])
        return len(ids)

    def resync(self) -> None:
        self._send([RESYNC])


# -- every connection ---------------------------------------------------------------------------

class RtaHub:
    """Every RTA connection of a sandbox, and the way world changes reach them.

    Attributes:
        sessions: the open connections (tests read what each received and sent).
        history: every connection ever opened, closed ones included.
        unavailable: answer every subscribe with 1002 "service unavailable" (a test control).
    """

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.sessions: list[RtaSession] = []
        self.history: list[RtaSession] = []
        self.unavailable = False
        self._nonces: dict[str, tuple[str, float, float]] = {}  # nonce -> (xuid, expiry, token expiry)
        self.listeners: list[Callable[[], None]] = []  # woken when something is sent

    def open(self, account: Account, token_expires: float, token: str = "") -> RtaSession:
        session = RtaSession(self, account, token_expires, self.sb.clock(), token=token)
        self.sessions.append(session)
        self.history.append(session)
        return session

    def closed(self, session: RtaSession) -> None:
        """A connection ended (either side)."""
        if session in self.sessions:
            self.sessions.remove(session)

    def publish(self, uri: str, data: Any) -> int:
        """Push an event for ``uri`` to every subscriber; how many received it."""
        count = sum(s.push(uri, data) for s in list(self.sessions))
        self._wake()
        return count

    def resync(self, xuid: str | None = None) -> int:
        """Send ``[4]`` to every connection (of ``xuid``); how many."""
        chosen = [s for s in self.sessions if xuid is None or s.account.xuid == xuid]
        for session in chosen:
            session.resync()
        self._wake()
        return len(chosen)

    def drop(self, xuid: str | None = None) -> int:
        """Cut the sockets of every connection (of ``xuid``) with no closing handshake, as a
        lost network does; how many."""
        chosen = [s for s in self.sessions if xuid is None or s.account.xuid == xuid]
        for session in chosen:
            session.dropped = True
        self._wake()
        return len(chosen)

    def _wake(self) -> None:
        for listener in list(self.listeners):
            listener()

    # -- nonces (xbox-rta's way in, for websockets that cannot send headers) -------------------
    def new_nonce(self, account: Account, token_expires: float) -> str:
        now = self.sb.clock()
        self._nonces = {n: v for n, v in self._nonces.items() if v[1] > now}
        nonce = secrets.token_urlsafe(24)
        self._nonces[nonce] = (account.xuid, now + NONCE_LIFETIME, token_expires)
        return nonce

    def redeem_nonce(self, nonce: str) -> tuple[Account, float] | None:
        entry = self._nonces.pop(nonce, None)
        if entry is None or entry[1] <= self.sb.clock():
            return None
        account = self.sb.world.by_xuid.get(entry[0])
        return None if account is None else (account, entry[2])


def hub(sb: Sandbox) -> RtaHub:
    """The sandbox's hub (``sandbox.rta``)."""
    return sb.rta


# -- the HTTP side ------------------------------------------------------------------------------

@route("GET", HOST, r"/nonce", auth=True)
def nonce(sb: Sandbox, call: Call) -> httpx.Response:
    """A one-time value that opens ``/connect?nonce=`` without an Authorization header."""
    assert call.user is not None
    grant = sb.xsts_grant(call.request)
    expires = grant.expires if grant is not None else sb.clock()
    return json_response(200, {"nonce": hub(sb).new_nonce(call.user, expires)},
                         headers=sb.xbl_headers())


@route("GET", HOST, r"/connect", auth=False)
def connect(sb: Sandbox, call: Call) -> httpx.Response:
    """The websocket handshake: ``101`` and a session, or the refusal.

    The response carries the new :class:`RtaSession` in its ``xbox_sandbox_rta`` extension;
    whatever serves the socket (uvicorn, or the in-process transport) runs it.
    """
    from ..websocket import accept_key

    headers = call.request.headers
    if "websocket" not in headers.get("upgrade", "").lower():
        return empty(426, headers={**sb.xbl_headers(), "Upgrade": "websocket"})
    key = headers.get("sec-websocket-key", "")
    if not key or headers.get("sec-websocket-version") != "13":
        return empty(400, headers=sb.xbl_headers())
    offered = [p.strip() for p in headers.get("sec-websocket-protocol", "").split(",")]
    who: tuple[Account, float] | None = None
    grant = sb.xsts_grant(call.request)
    # As every service: a valid XSTS token, for a relying party this host takes.
    account = sb.authorize(call.request, call.host, call.path)
    if grant is not None and account is not None:
        who = (account, grant.expires)
    elif "nonce" in call.params and "authorization" not in headers:
        who = hub(sb).redeem_nonce(call.params["nonce"])
    if who is None:
        return empty(401, headers=sb.xbl_headers())
    if SUBPROTOCOL not in offered:
        return empty(400, headers=sb.xbl_headers())
    # Which token opened it (a digest, for tests: never the token itself).
    token = hashlib.sha256(headers.get("authorization", "").encode()).hexdigest()[:12]
    session = hub(sb).open(who[0], who[1], token=token)
    return httpx.Response(101, headers={
        "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Accept": accept_key(key),
        "Sec-WebSocket-Protocol": SUBPROTOCOL, **sb.xbl_headers()},
        extensions={"xbox_sandbox_rta": session})
