"""The Real-Time Activity (RTA) protocol of ``wss://rta.xboxlive.com/connect``: its messages,
its resources, and the state of a connection's subscriptions, as plain data and functions.

Nothing here touches a socket: the clients' connection (``xbox._async.rta``) feeds
:class:`Subscriptions` the text messages it reads and sends the ones it is handed.

Where each fact comes from (the sources are quoted in ``docs/events.rst``):

* **microsoft/xbox-live-api** (XSAPI, the GDK's Xbox Live library), file
  ``Source/Services/RealTimeActivityManager/real_time_activity_connection.cpp``: the URL,
  the subprotocol ``rta.xboxlive.com.V2``, the message types (1 subscribe, 2 unsubscribe,
  3 event, 4 resync), the status codes (0 success, 1 unknown resource, 2 subscription limit
  reached, 3 no resource data, 1001 throttled, 1002 service unavailable), the message
  layouts ``[1, SEQ, URI]`` -> ``[1, SEQ, STATUS, SUB_ID, DATA]``, ``[2, SEQ, SUB_ID]`` ->
  ``[2, SEQ, STATUS]``, ``[3, SUB_ID, DATA]`` and ``[4]``; that a subscription still being
  made cannot be unsubscribed until its answer arrives; resubscribing after throttling
  after ``min(attempt², 60)`` s; reconnecting after ``min(attempt², 60)`` s plus up to 5 s
  of jitter; reconnecting on its own after 90 minutes; ignoring resync for 5 minutes after
  connecting. Each resource URI is from the subscription class of its service (presence,
  achievements, stats, social).
* XSAPI before 2020 (``Source/Services/RealTimeActivity/real_time_activity_service.cpp``):
  a failed subscribe carries an error text as its fourth element.
* **MicrosoftDocs/xbox-live-docs** "Best Practices for the RTA service": connections close
  after two hours and when the token expires; unknown message types and events of unknown
  subscriptions are to be ignored; the throttles (UserStats 1000, Presence 2500).
* **xbox-rta** (npm) and other clients: the ``/richpresence`` resource and its payload.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from typing import Any

from ..exceptions import InvalidArgument
from ..ids import check_scid, check_title_id, check_xuid

__all__ = [
    "CONNECT_URL",
    "HOST",
    "KINDS",
    "MAX_PRESENCE_SUBSCRIPTIONS",
    "MAX_STAT_SUBSCRIPTIONS",
    "RENEW_AFTER",
    "RESYNC_GRACE",
    "SUBPROTOCOL",
    "Change",
    "EventMessage",
    "MessageType",
    "Refused",
    "Resource",
    "Resync",
    "ResyncMessage",
    "Snapshot",
    "Status",
    "SubscribeAnswer",
    "Subscriptions",
    "UnsubscribeAnswer",
    "parse_message",
    "reconnect_delay",
    "renew_at",
    "resource_of",
    "resubscribe_delay",
    "subscribe_message",
    "unsubscribe_message",
]

HOST = "rta.xboxlive.com"
#: The connection's URL as the client's send path writes it (``wss://`` is ``https://`` plus
#: the websocket handshake's headers).
CONNECT_URL = f"https://{HOST}/connect"
SUBPROTOCOL = "rta.xboxlive.com.V2"

#: Documented throttles ("Best Practices for the RTA service"): subscriptions to statistics,
#: and to presence, that one instance of an application may hold.
MAX_STAT_SUBSCRIPTIONS = 1000
MAX_PRESENCE_SUBSCRIPTIONS = 2500
#: The service closes a connection after two hours; XSAPI reconnects after 90 minutes.
CONNECTION_LIFETIME = 2 * 3600.0
RENEW_AFTER = 90 * 60.0
#: XSAPI ignores resync messages for 5 minutes after connecting: the subscribe answers just
#: brought every resource's current state.
RESYNC_GRACE = 5 * 60.0
#: Reconnect and resubscribe backoff: min(attempt², 60) s, plus up to 5 s of jitter.
MAX_BACKOFF = 60.0
MAX_JITTER = 5.0


class MessageType(IntEnum):
    """The first element of every RTA message."""

    SUBSCRIBE = 1
    UNSUBSCRIBE = 2
    EVENT = 3
    RESYNC = 4


class Status(IntEnum):
    """The status of a subscribe or unsubscribe answer."""

    SUCCESS = 0
    UNKNOWN_RESOURCE = 1
    SUBSCRIPTION_LIMIT_REACHED = 2
    NO_RESOURCE_DATA = 3  # XSAPI reports it as "access denied"
    THROTTLED = 1001
    SERVICE_UNAVAILABLE = 1002


STATUS_TEXT = {
    Status.SUCCESS: "success",
    Status.UNKNOWN_RESOURCE: "unknown resource",
    Status.SUBSCRIPTION_LIMIT_REACHED: "subscription limit reached",
    Status.NO_RESOURCE_DATA: "no resource data (access denied)",
    Status.THROTTLED: "throttled",
    Status.SERVICE_UNAVAILABLE: "service unavailable",
}
#: Statuses after which XSAPI subscribes again, later.
RETRY_STATUSES = frozenset({Status.THROTTLED, Status.SERVICE_UNAVAILABLE})


def status_text(status: int) -> str:
    """A status in words (``"throttled"``), or ``"status N"`` for one nobody documents."""
    try:
        return STATUS_TEXT[Status(status)]
    except ValueError:
        return f"status {status}"


# -- resources --------------------------------------------------------------------------------

#: The kinds of events RTA pushes, each a resource per user.
KINDS = ("presence", "devices", "titles", "achievements", "stats", "friends")

# kind -> the resource URI template (from each service's XSAPI subscription class; the rich
# presence one from xbox-rta, the Node client, and the clients that followed it).
_TEMPLATES = {
    "presence": "https://userpresence.xboxlive.com/users/xuid({xuid})/richpresence",
    "devices": "https://userpresence.xboxlive.com/users/xuid({xuid})/devices",
    "titles": "https://userpresence.xboxlive.com/users/xuid({xuid})/titles/{title_id}",
    "achievements": "https://achievements.xboxlive.com/users/xuid({xuid})/achievements/{scid}",
    "stats": "https://userstats.xboxlive.com/users/xuid({xuid})/scids/{scid}/stats/{stat}",
    # http, not https: XSAPI's SocialRelationshipChangeSubscription writes it so.
    "friends": "http://social.xboxlive.com/users/xuid({xuid})/friends",
}
_PATTERNS = [
    ("presence", re.compile(r"https://userpresence\.xboxlive\.com/users/xuid\((\d+)\)/richpresence")),
    ("devices", re.compile(r"https://userpresence\.xboxlive\.com/users/xuid\((\d+)\)/devices")),
    ("titles", re.compile(r"https://userpresence\.xboxlive\.com/users/xuid\((\d+)\)/titles/(\d+)")),
    ("achievements", re.compile(
        r"https://achievements\.xboxlive\.com/users/xuid\((\d+)\)/achievements/([0-9a-fA-F-]{36})")),
    ("stats", re.compile(
        r"https://userstats\.xboxlive\.com/users/xuid\((\d+)\)/scids/([0-9a-fA-F-]{36})/stats/([^/?#]+)")),
    ("friends", re.compile(r"https?://social\.xboxlive\.com/users/xuid\((\d+)\)/friends")),
]
# Which throttle each kind counts against.
_LIMIT_GROUP = {"presence": "presence", "devices": "presence", "titles": "presence",
                "stats": "stats"}
_LIMITS = {"presence": MAX_PRESENCE_SUBSCRIPTIONS, "stats": MAX_STAT_SUBSCRIPTIONS}


@dataclass(frozen=True)
class Resource:
    """One thing RTA can tell about: a user's presence, their achievements in a title...

    Attributes:
        kind: one of :data:`KINDS`.
        xuid: whose.
        title_id: the title (``titles``).
        scid: the title's service configuration id (``achievements``, ``stats``).
        stat: the statistic's name (``stats``).
    """

    kind: str
    xuid: str
    title_id: int | None = None
    scid: str | None = None
    stat: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in _TEMPLATES:
            raise InvalidArgument(f"no RTA resource of kind {self.kind!r}; one of {', '.join(KINDS)}")
        object.__setattr__(self, "xuid", check_xuid(self.xuid))
        if self.kind == "titles":
            object.__setattr__(self, "title_id", check_title_id(self.title_id))
        if self.kind in ("achievements", "stats"):
            scid = check_scid(self.scid)
            # XSAPI lower-cases the SCID of achievement subscriptions (not of statistics').
            object.__setattr__(self, "scid", scid.lower() if self.kind == "achievements" else scid)
        if self.kind == "stats" and (not isinstance(self.stat, str) or not self.stat.strip()
                                     or any(c in self.stat for c in "/?# \t\r\n")):
            raise InvalidArgument("a statistic subscription needs the statistic's name, one word "
                                  f"like 'Kills', not {self.stat!r}")

    @property
    def uri(self) -> str:
        """The resource URI a subscribe message carries."""
        # The statistic's name goes in as it is, as XSAPI writes it.
        return _TEMPLATES[self.kind].format(xuid=self.xuid, title_id=self.title_id, scid=self.scid,
                                            stat=self.stat)

    @property
    def limit_group(self) -> str | None:
        """The documented throttle this resource counts against, if any."""
        return _LIMIT_GROUP.get(self.kind)


def resource_of(uri: str) -> Resource | None:
    """The resource a URI names (None: not one this library knows)."""
    for kind, pattern in _PATTERNS:
        m = pattern.fullmatch(uri)
        if m is None:
            continue
        groups = m.groups()
        try:
            if kind == "titles":
                return Resource(kind, groups[0], title_id=int(groups[1]))
            if kind == "achievements":
                return Resource(kind, groups[0], scid=groups[1])
            if kind == "stats":
                return Resource(kind, groups[0], scid=groups[1], stat=groups[2])
            return Resource(kind, groups[0])
        except InvalidArgument:
            return None
    return None


# -- messages ---------------------------------------------------------------------------------

def subscribe_message(sequence: int, uri: str) -> str:
    """``[1, SEQUENCE, URI]``: ask for a resource's events."""
    return json.dumps([int(MessageType.SUBSCRIBE), sequence, uri])


def unsubscribe_message(sequence: int, subscription_id: int | str) -> str:
    """``[2, SEQUENCE, SUBSCRIPTION_ID]``: stop a subscription."""
    return json.dumps([int(MessageType.UNSUBSCRIBE), sequence, subscription_id])


@dataclass(frozen=True)
class SubscribeAnswer:
    """``[1, SEQUENCE, STATUS, SUBSCRIPTION_ID, DATA]`` (on a failure: ``[1, SEQUENCE,
    STATUS, "why"]``): DATA is the resource's current state."""

    sequence: int
    status: int
    subscription_id: int | str | None = None
    data: Any = None
    error: str | None = None


@dataclass(frozen=True)
class UnsubscribeAnswer:
    """``[2, SEQUENCE, STATUS]``."""

    sequence: int
    status: int


@dataclass(frozen=True)
class EventMessage:
    """``[3, SUBSCRIPTION_ID, DATA]``: a subscribed resource changed; DATA says how."""

    subscription_id: int | str
    data: Any


@dataclass(frozen=True)
class ResyncMessage:
    """``[4]``: the service may have dropped events; read the resources again."""


ServerMessage = SubscribeAnswer | UnsubscribeAnswer | EventMessage | ResyncMessage


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_id(value: Any) -> bool:
    return _is_int(value) or isinstance(value, str)


def parse_message(text: str) -> ServerMessage | None:
    """A message the service sent, or None for one this library does not understand
    (Microsoft: "discard unknown message types"; a malformed one likewise)."""
    try:
        msg = json.loads(text)
    except ValueError:
        return None
    if not isinstance(msg, list) or not msg or not _is_int(msg[0]):
        return None
    kind = msg[0]
    if kind == MessageType.SUBSCRIBE and len(msg) >= 3 and _is_int(msg[1]) and _is_int(msg[2]):
        if msg[2] == Status.SUCCESS:
            if len(msg) < 4 or not _is_id(msg[3]):
                return None
            return SubscribeAnswer(msg[1], msg[2], msg[3], msg[4] if len(msg) > 4 else None)
        error = msg[3] if len(msg) > 3 and isinstance(msg[3], str) else None
        return SubscribeAnswer(msg[1], msg[2], error=error)
    if kind == MessageType.UNSUBSCRIBE and len(msg) >= 3 and _is_int(msg[1]) and _is_int(msg[2]):
        return UnsubscribeAnswer(msg[1], msg[2])
    if kind == MessageType.EVENT and len(msg) >= 3 and _is_id(msg[1]):
        return EventMessage(msg[1], msg[2])
    if kind == MessageType.RESYNC:
        return ResyncMessage()
    return None


# -- backoff ----------------------------------------------------------------------------------

def reconnect_delay(attempt: int, jitter: float, *, first: bool = False) -> float:
    """Seconds to wait before connecting again (XSAPI's ``ScheduleConnect``).

    Args:
        attempt: connection attempts that failed in a row (0: none yet).
        jitter: a random number in [0, 1): spreads clients that lost the service together.
        first: the very first connection, which XSAPI does not delay or jitter.
    """
    base = min(float(attempt) ** 2, MAX_BACKOFF)
    return base if first else base + MAX_JITTER * min(max(jitter, 0.0), 1.0)


def resubscribe_delay(attempt: int) -> float:
    """Seconds before subscribing again after ``throttled`` or ``service unavailable``."""
    return min(float(attempt) ** 2, MAX_BACKOFF)


def renew_at(connected_at: float, refresh_at: float | None) -> float:
    """When to replace a connection made at ``connected_at`` with a new one: after 90
    minutes (XSAPI), or when its token is due to be refreshed (``refresh_at``; the service
    ends a connection whose token expires), whichever is sooner; never within a second."""
    due = connected_at + RENEW_AFTER
    if refresh_at is not None:
        due = min(due, refresh_at)
    return max(due, connected_at + 1.0)


# -- the subscriptions of one connection --------------------------------------------------------

class _State(Enum):
    INACTIVE = "inactive"        # the service does not know it
    SUBSCRIBING = "subscribing"  # subscribe sent, no answer yet
    ACTIVE = "active"            # the service pushes its events
    UNSUBSCRIBING = "unsubscribing"
    WAITING = "waiting"          # throttled: subscribe again at ``retry_at``


@dataclass
class _Subscription:
    resource: Resource
    state: _State = _State.INACTIVE
    wanted: bool = True
    subscription_id: int | str | None = None
    attempts: int = 0
    retry_at: float = 0.0


@dataclass(frozen=True)
class Snapshot:
    """A subscription was made: ``data`` is the resource's state now."""

    resource: Resource
    data: Any


@dataclass(frozen=True)
class Change:
    """A subscribed resource changed: ``data`` is what the service pushed."""

    resource: Resource
    data: Any


@dataclass(frozen=True)
class Refused:
    """The service refused a subscription (``retry_in``: it will be asked again then)."""

    resource: Resource
    status: int
    reason: str
    retry_in: float | None = None


@dataclass(frozen=True)
class Resync:
    """The service asked for a resync (outside the grace period after connecting)."""


Delivery = Snapshot | Change | Refused | Resync


@dataclass
class Subscriptions:
    """What one RTA connection is subscribed to, and what to send to keep it so.

    The same wanted set survives reconnections: :meth:`connected` gives the subscribe
    messages that restore it on a new connection. Every method returns the messages to send
    now (when connected); :meth:`receive` also what the service delivered.
    """

    _subs: dict[str, _Subscription] = field(default_factory=dict)
    _pending: dict[int, tuple[MessageType, str]] = field(default_factory=dict)
    _by_id: dict[int | str, str] = field(default_factory=dict)
    _sequence: int = 0
    _connected_at: float | None = None

    # -- what is wanted ----------------------------------------------------------------------
    def add(self, resource: Resource) -> list[str]:
        """Want ``resource``'s events.

        Raises:
            InvalidArgument: that would go over a documented throttle (1000 statistics,
                2500 presence resources per connection).
        """
        sub = self._subs.get(resource.uri)
        if sub is not None:
            sub.wanted = True
            return self._converge(sub)
        group = resource.limit_group
        if group is not None:
            held = sum(1 for s in self._subs.values() if s.wanted
                       and s.resource.limit_group == group)
            if held >= _LIMITS[group]:
                raise InvalidArgument(
                    f"RTA allows at most {_LIMITS[group]} {group} subscriptions per connection "
                    "(Microsoft's RTA throttles); watch fewer users or statistics")
        sub = _Subscription(resource)
        self._subs[resource.uri] = sub
        return self._converge(sub)

    def remove(self, resource: Resource) -> list[str]:
        """Stop wanting ``resource``'s events."""
        sub = self._subs.get(resource.uri)
        if sub is None:
            return []
        sub.wanted = False
        return self._converge(sub)

    @property
    def resources(self) -> list[Resource]:
        """Every resource wanted, in the order it was added."""
        return [s.resource for s in self._subs.values() if s.wanted]

    def active(self, resource: Resource) -> bool:
        """Whether the service is pushing ``resource``'s events now."""
        sub = self._subs.get(resource.uri)
        return sub is not None and sub.state is _State.ACTIVE

    # -- the connection -----------------------------------------------------------------------
    @property
    def is_connected(self) -> bool:
        return self._connected_at is not None

    def connected(self, now: float) -> list[str]:
        """A new connection is open: the subscribe messages for everything wanted."""
        self._connected_at = now
        out: list[str] = []
        for sub in list(self._subs.values()):
            out += self._converge(sub)
        return out

    def disconnected(self) -> None:
        """The connection ended: the service forgot every subscription."""
        self._connected_at = None
        self._pending.clear()
        self._by_id.clear()
        for uri, sub in list(self._subs.items()):
            if not sub.wanted:
                del self._subs[uri]
                continue
            sub.state, sub.subscription_id, sub.attempts = _State.INACTIVE, None, 0

    def due(self, now: float) -> list[str]:
        """Subscribe messages whose throttling wait is over."""
        out: list[str] = []
        for sub in self._subs.values():
            if sub.state is _State.WAITING and sub.retry_at <= now:
                sub.state = _State.INACTIVE
                out += self._converge(sub)
        return out

    def next_due(self) -> float | None:
        """When :meth:`due` next has something (None: nothing is waiting)."""
        waits = [s.retry_at for s in self._subs.values() if s.state is _State.WAITING]
        return min(waits) if waits else None

    # -- what the service said ------------------------------------------------------------------
    def receive(self, text: str, now: float) -> tuple[list[Delivery], list[str]]:
        """Take one message from the service.

        Returns:
            What it delivered, and the messages to send in reply.
        """
        msg = parse_message(text)
        if isinstance(msg, SubscribeAnswer):
            return self._subscribed(msg, now)
        if isinstance(msg, UnsubscribeAnswer):
            return self._unsubscribed(msg)
        if isinstance(msg, EventMessage):
            uri = self._by_id.get(msg.subscription_id)
            sub = self._subs.get(uri) if uri is not None else None
            # Microsoft: ignore events of subscriptions you do not know (one just ended).
            if sub is None or not sub.wanted or sub.state is not _State.ACTIVE:
                return [], []
            return [Change(sub.resource, msg.data)], []
        if isinstance(msg, ResyncMessage):
            start = self._connected_at
            if start is not None and now - start < RESYNC_GRACE:
                return [], []
            return [Resync()], []
        return [], []

    def _subscribed(self, msg: SubscribeAnswer, now: float) -> tuple[list[Delivery], list[str]]:
        op = self._pending.pop(msg.sequence, None)
        if op is None or op[0] is not MessageType.SUBSCRIBE:
            return [], []
        sub = self._subs.get(op[1])
        if sub is None or sub.state is not _State.SUBSCRIBING:
            return [], []
        if msg.status == Status.SUCCESS:
            assert msg.subscription_id is not None
            sub.state, sub.subscription_id, sub.attempts = _State.ACTIVE, msg.subscription_id, 0
            self._by_id[msg.subscription_id] = op[1]
            if not sub.wanted:  # dropped while being made: end it now
                return [], self._converge(sub)
            return [Snapshot(sub.resource, msg.data)], []
        reason = msg.error or status_text(msg.status)
        if msg.status in RETRY_STATUSES and sub.wanted:
            sub.attempts += 1
            delay = resubscribe_delay(sub.attempts)
            sub.state, sub.retry_at = _State.WAITING, now + delay
            return [Refused(sub.resource, msg.status, reason, retry_in=delay)], []
        del self._subs[op[1]]
        return ([Refused(sub.resource, msg.status, reason)] if sub.wanted else []), []

    def _unsubscribed(self, msg: UnsubscribeAnswer) -> tuple[list[Delivery], list[str]]:
        op = self._pending.pop(msg.sequence, None)
        if op is None or op[0] is not MessageType.UNSUBSCRIBE:
            return [], []
        sub = self._subs.get(op[1])
        if sub is None or sub.state is not _State.UNSUBSCRIBING:
            return [], []
        if sub.subscription_id is not None:
            self._by_id.pop(sub.subscription_id, None)
        sub.state, sub.subscription_id = _State.INACTIVE, None
        if not sub.wanted:
            del self._subs[op[1]]
            return [], []
        return [], self._converge(sub)  # wanted again while it was ending

    # -- one step towards what is wanted -------------------------------------------------------
    def _next(self) -> int:
        self._sequence += 1
        return self._sequence

    def _converge(self, sub: _Subscription) -> list[str]:
        """The message that moves ``sub`` towards what is wanted, if one can go now (a
        subscription being made or ended waits for its answer: the protocol allows no
        other order)."""
        uri = sub.resource.uri
        if sub.wanted and sub.state is _State.INACTIVE:
            if not self.is_connected:
                return []
            seq = self._next()
            self._pending[seq] = (MessageType.SUBSCRIBE, uri)
            sub.state = _State.SUBSCRIBING
            return [subscribe_message(seq, uri)]
        if not sub.wanted and sub.state is _State.ACTIVE:
            assert sub.subscription_id is not None
            seq = self._next()
            self._pending[seq] = (MessageType.UNSUBSCRIBE, uri)
            sub.state = _State.UNSUBSCRIBING
            return [unsubscribe_message(seq, sub.subscription_id)]
        if not sub.wanted and sub.state in (_State.INACTIVE, _State.WAITING):
            del self._subs[uri]
        return []
