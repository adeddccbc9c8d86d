"""``xbl.events(...)``: what happens on Xbox Live, as it happens, one :class:`Event` at a time.

One loop, no background tasks or threads: each step of :meth:`AsyncEvents.__anext__` does
the one thing that is due (sign in and connect, replace the connection before its token or
lifetime runs out, subscribe again after throttling, poll captures), or else reads the
websocket until the next thing is due. The protocol's state is
:class:`xbox._core.rta.Subscriptions`; what to watch and how often to poll is
:mod:`xbox._core.events`; the socket is :mod:`xbox._async.rta`.

* **Reconnection.** A lost connection (closed, reset, or silent for a ping's timeout) is
  reported (a ``status`` event, and the log) and opened again after XSAPI's backoff:
  ``min(attempts², 60)`` s plus up to 5 s of jitter; everything subscribed is subscribed
  again, and a state that changed while the connection was down is delivered (``source``
  ``"snapshot"``).
* **Tokens.** Every connection is opened with a token the client just made sure of
  (refreshing it when due), and replaced before the token is due for refresh or after 90
  minutes (the service closes connections after two hours).
* **Resync.** When the service asks for one, presence is read again over REST and what
  changed is delivered (``source`` ``"resync"``).
* **Polling.** New captures, which RTA does not announce, are polled, no more often than
  :func:`xbox._core.events.poll_interval` allows within the rate-limit budget, and through
  the same governor as every request.

This is the source of truth; ``xbox._sync.events`` is generated from it.
"""

from __future__ import annotations

import logging
import math
import random
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .._core.events import (
    DEFAULT_POLL_INTERVAL,
    MAX_ACHIEVEMENT_TITLES,
    check_kinds,
    check_stats,
    check_titles,
    new_ids,
    poll_interval,
    presence_key,
    resources_for,
)
from .._core.rta import KINDS as RTA_KINDS
from .._core.rta import (
    Change,
    Refused,
    Resource,
    Resync,
    Snapshot,
    Subscriptions,
    reconnect_delay,
    renew_at,
)
from ..exceptions import (
    AuthenticationException,
    InvalidArgument,
    NotFoundException,
    RateLimited,
    ServerError,
    TransportError,
    XboxException,
)
from ..ids import check_gamertag, check_xuid, looks_like_xuid

if TYPE_CHECKING:
    from ..models.events import Event
    from ..models.profile import Profile
    from .client import AsyncClient
    from .rta import AsyncRtaSocket

__all__ = ["AsyncEvents"]

log = logging.getLogger("xbox")

#: The longest one read waits before the loop looks at the clock again.
MAX_WAIT = 1.0
#: Ping a connection that was silent this long; give it up when the pong takes as long.
PING_INTERVAL = 30.0
PING_TIMEOUT = 30.0
#: Captures read per list per poll (one request each).
POLL_PAGE = 25
#: Capture ids remembered per list (what a poll compares with).
SEEN_LIMIT = 500


def _utcnow() -> datetime:
    return datetime.now(UTC)


class AsyncEvents:
    """Events of Xbox Live users as they happen: ``async for event in xbl.events(...)``.

    Made by :meth:`xbox.AsyncClient.events` (see there for the arguments). Use it as an
    async iterator, inside ``async with`` (or call :meth:`aclose`) to close the connection
    when done. It connects on the first ``__anext__``.

    Attributes:
        kinds: the kinds of events delivered.
        users: ``(xuid, gamertag)`` of every user watched (known once started).
        connected: whether the RTA websocket is open now.
    """

    def __init__(self, client: AsyncClient, users: Iterable[str | int | Profile] | None = None, *,
                 kinds: str | Iterable[str] | None = None, titles: Iterable[int | str] = (),
                 stats: Iterable[str | tuple[str, str]] = (),
                 poll_interval: float = DEFAULT_POLL_INTERVAL, initial: bool = False,
                 jitter: Callable[[], float] = random.random) -> None:
        # jitter: where the reconnect backoff's jitter comes from (a number in [0, 1)).
        self._client = client
        self._titles = check_titles(titles)
        self._stats = check_stats(stats)
        self.kinds = check_kinds(kinds, titles=bool(self._titles), stats=bool(self._stats))
        # Profiles (anything with an xuid) are taken as they are; text is checked now and
        # looked up when the stream starts.
        self._known: list[tuple[str, str | None]] = []
        self._asked: list[str] | None = None if users is None else []
        for who in users or ():
            if hasattr(who, "xuid") and not isinstance(who, str | int):
                self._known.append((check_xuid(who.xuid), getattr(who, "gamertag", None)))
                continue
            text = str(who).strip()
            if looks_like_xuid(text):
                check_xuid(text)
            else:
                check_gamertag(text)
            assert self._asked is not None
            self._asked.append(text)
        if "stats" in self.kinds and not self._stats:
            raise InvalidArgument("stats events need the statistics to watch: stats=['SCID/Name']")
        if set(self.kinds) & set(RTA_KINDS):
            from .._core import websocket  # noqa: F401  (MissingDependency without xbox[events])
        self._requested_interval = poll_interval
        self._initial = initial
        self._jitter = jitter
        self.users: list[tuple[str, str | None]] = []
        self._gamertags: dict[str, str | None] = {}
        self._queue: deque[Event] = deque()
        self._subs = Subscriptions()
        self._socket: AsyncRtaSocket | None = None
        self._started = self._closed = False
        self._connections = 0
        self._attempt = 0
        self._reconnect_at = 0.0
        self._renew_at = math.inf
        self._heard = 0.0
        self._pinged: float | None = None
        self._presence: dict[str, tuple[str, str, str, str]] = {}
        self._stat_values: dict[str, Any] = {}
        self._snapshotted: set[str] = set()
        self._watched_titles: dict[str, list[int]] = {}
        self._title_info: dict[int, tuple[str, str] | None] = {}
        self._scid_titles: dict[str, tuple[int, str]] = {}
        self._interval = float(poll_interval)
        self._poll_at = 0.0
        self._seen: dict[tuple[str, str], set[str] | None] = {}
        self._delivered: deque[str] = deque(maxlen=SEEN_LIMIT)
        self._mediahub = True
        self._me: str | None = None

    # -- the iterator ----------------------------------------------------------------------------
    def __aiter__(self) -> AsyncEvents:
        return self

    async def __anext__(self) -> Event:
        while not self._queue:
            if self._closed:
                raise StopAsyncIteration
            await self._step()
        return self._queue.popleft()

    async def __aenter__(self) -> AsyncEvents:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection; the iteration ends."""
        self._closed = True
        socket, self._socket = self._socket, None
        if socket is not None:
            await socket.aclose()

    @property
    def connected(self) -> bool:
        return self._socket is not None

    # -- one step --------------------------------------------------------------------------------
    def _now(self) -> float:
        return self._client.clock()

    def _rta(self) -> bool:
        return bool(self._subs.resources)

    def _polling(self) -> bool:
        return "captures" in self.kinds and bool(self.users)

    async def _step(self) -> None:
        """Do what is due, or wait for the websocket until something is."""
        if not self._started:
            await self._start()
            return
        now = self._now()
        if self._rta():
            if self._socket is None and now >= self._reconnect_at:
                await self._connect()
                return
            if self._socket is not None and now >= self._renew_at:
                await self._renew()
                return
            for text in self._subs.due(now):
                await self._send(text)
        if self._polling() and now >= self._poll_at:
            await self._poll()
            return
        wait = min(max(self._next_due(now) - now, 0.01), MAX_WAIT)
        if self._socket is not None:
            await self._read(wait)
        else:
            await self._client._sleep(wait)

    def _next_due(self, now: float) -> float:
        due = [now + MAX_WAIT]
        if self._polling():
            due.append(self._poll_at)
        if self._rta():
            due.append(self._reconnect_at if self._socket is None else self._renew_at)
            retry = self._subs.next_due()
            if retry is not None:
                due.append(retry)
        return min(due)

    # -- starting --------------------------------------------------------------------------------
    async def _start(self) -> None:
        """Who is watched and what for: gamertags are looked up, resources chosen."""
        client = self._client
        session = await client._signed_in()
        me = session.xuid
        if self._asked is None and not self._known:
            if me is None:
                me = (await client.profiles.me(settings=("Gamertag",))).xuid
            self.users = [(me, session.gamertag)]
        else:
            self.users = list(self._known)
            for who in self._asked or ():
                if looks_like_xuid(who):
                    self.users.append((check_xuid(who), None))
                else:
                    profile = await client.profiles.get(who)
                    self.users.append((profile.xuid, profile.gamertag or who))
        known: dict[str, str | None] = {}
        for xuid, gamertag in self.users:  # each user once, with a gamertag if any had one
            known[xuid] = known.get(xuid) or gamertag
        self.users = list(known.items())
        self._gamertags = known
        for xuid, _gamertag in self.users:
            for resource in resources_for(xuid, self.kinds, own=xuid == me, titles=self._titles,
                                          stats=self._stats):
                self._subs.add(resource)
        if "achievements" in self.kinds:
            for xuid, _gamertag in self.users:
                for title_id in self._titles:
                    await self._watch_title(xuid, title_id)
        self._interval = poll_interval(self._requested_interval, len(self.users),
                                       any(x == me for x, _ in self.users))
        self._me = me
        self._started = True

    # -- the connection ----------------------------------------------------------------------------
    async def _connect(self) -> None:
        from ..auth.tokens import REFRESH_MARGIN
        from .rta import open_socket

        try:
            session = await self._client._signed_in()  # a token good for a while: renewed if due
            socket = await open_socket(self._client)
        except (TransportError, ServerError, RateLimited) as exc:
            self._attempt += 1
            delay = reconnect_delay(self._attempt, self._jitter())
            self._reconnect_at = self._now() + delay
            log.warning("real-time events: could not connect (%s); retrying in %.0f s", exc, delay)
            self._status("reconnecting", reason=str(exc), retry_in=delay)
            return
        now = self._now()
        self._socket, self._attempt = socket, 0
        self._connections += 1
        refresh_at = session.xsts.expires_at - REFRESH_MARGIN if session.xsts else None
        self._renew_at = renew_at(now, refresh_at)
        self._heard, self._pinged = now, None
        log.info("real-time events: connected to rta.xboxlive.com")
        self._status("connected")
        for text in self._subs.connected(now):
            await self._send(text)

    async def _renew(self) -> None:
        """A new connection before this one's token or lifetime runs out."""
        socket, self._socket = self._socket, None
        self._subs.disconnected()
        if socket is not None:
            await socket.aclose(1000, "renewing")
        self._status("renewing", reason="a new connection before the token or the "
                                        "connection's lifetime runs out")
        self._reconnect_at = self._now()

    async def _lost(self, closed: tuple[int, str]) -> None:
        socket, self._socket = self._socket, None
        self._subs.disconnected()
        if socket is not None:
            try:
                await socket.aclose()
            except Exception as exc:  # the connection is gone already
                log.debug("closing a lost RTA connection: %s", type(exc).__name__)
        if self._closed:
            return
        delay = reconnect_delay(self._attempt, self._jitter())
        self._reconnect_at = self._now() + delay
        reason = f"{closed[1] or 'closed'} (code {closed[0]})"
        log.warning("real-time events: connection lost: %s; reconnecting in %.0f s", reason, delay)
        self._status("disconnected", reason=reason, retry_in=delay)

    async def _send(self, text: str) -> None:
        if self._socket is None:
            return
        try:
            await self._socket.send(text)
        except TransportError:
            await self._lost(self._socket.closed or (1006, "the connection was lost"))

    async def _read(self, wait: float) -> None:
        socket = self._socket
        assert socket is not None
        received = await socket.receive(wait)
        now = self._now()
        if received.messages or received.pongs:
            self._heard, self._pinged = now, None
        for text in received.messages:
            deliveries, replies = self._subs.receive(text, now)
            for reply in replies:
                await self._send(reply)
            for delivery in deliveries:
                await self._deliver(delivery)
        if received.closed is not None:
            await self._lost(received.closed)
        elif self._pinged is None and now - self._heard >= PING_INTERVAL:
            self._pinged = now
            try:
                await socket.ping()
            except TransportError:
                await self._lost(socket.closed or (1006, "the connection was lost"))
        elif self._pinged is not None and now - self._pinged >= PING_TIMEOUT:
            await self._lost((1006, "no answer to a ping"))

    # -- what arrived ------------------------------------------------------------------------------
    def _emit(self, events: Iterable[Event]) -> None:
        for event in events:
            if event.kind in self.kinds:
                self._queue.append(event)

    def _status(self, status: str, **details: Any) -> None:
        if "status" in self.kinds:
            from ..models import events as models

            self._queue.append(models.status(status, received=_utcnow(), **details))

    def _events(self, resource: Resource, data: Any, source: str) -> list[Event]:
        from ..models import events as models

        title = self._scid_titles.get(resource.scid or "")
        return models.from_rta(resource.kind, resource.xuid, data, resource=resource.uri,
                               source=source, received=_utcnow(),
                               gamertag=self._gamertags.get(resource.xuid), scid=resource.scid,
                               stat=resource.stat, title_id=title[0] if title else resource.title_id,
                               title_name=title[1] if title else None)

    async def _deliver(self, delivery: Any) -> None:
        if isinstance(delivery, Snapshot):
            await self._snapshot(delivery.resource, delivery.data)
        elif isinstance(delivery, Change):
            if delivery.resource.kind == "presence":
                await self._presence_seen(delivery.resource.xuid, delivery.data)
            elif delivery.resource.kind == "stats":
                self._stat_values[delivery.resource.uri] = delivery.data
            self._emit(self._events(delivery.resource, delivery.data, "rta"))
        elif isinstance(delivery, Refused):
            log.warning("real-time events: %s refused (%s)", delivery.resource.uri, delivery.reason)
            self._status("refused", reason=delivery.reason, retry_in=delivery.retry_in,
                         resource=delivery.resource.uri, xuid=delivery.resource.xuid)
        elif isinstance(delivery, Resync):
            self._status("resync", reason="the service may have dropped events")
            await self._resync()

    async def _snapshot(self, resource: Resource, data: Any) -> None:
        """A subscription's starting state: delivered with ``initial=True`` the first time,
        and after a reconnection when it differs from what was seen last."""
        first = resource.uri not in self._snapshotted
        self._snapshotted.add(resource.uri)
        changed = False
        if resource.kind == "presence":
            changed = await self._presence_seen(resource.xuid, data)
        elif resource.kind == "stats" and isinstance(data, dict):
            before = self._stat_values.get(resource.uri, data.get("value"))
            self._stat_values[resource.uri] = data.get("value")
            changed = before != data.get("value")
        if (first and self._initial) or (not first and changed):
            self._emit(self._events(resource, data, "snapshot"))

    async def _presence_seen(self, xuid: str, data: Any) -> bool:
        """Remember a presence reading (and watch the achievements of the title played);
        whether it differs from the last one."""
        if not isinstance(data, dict):
            return False
        key = presence_key(data.get("presenceState"), data.get("titleid"), data.get("string2"),
                           data.get("devicetype"))
        before = self._presence.get(xuid)
        self._presence[xuid] = key
        title = data.get("titleid")
        if "achievements" in self.kinds and isinstance(title, int) and title > 0:
            await self._watch_title(xuid, title)
        return before is not None and before != key

    async def _resync(self) -> None:
        """Read the watched users' presence again and deliver what changed."""
        from ..models import events as models

        xuids = [x for x, _ in self.users if Resource("presence", x) in self._subs.resources]
        if not xuids:
            return
        try:
            records = await self._client.presence.batch(xuids)
        except (TransportError, ServerError, RateLimited) as exc:
            log.warning("real-time events: could not read presence after a resync (%s)", exc)
            return
        for record in records:
            event = models.from_presence(record, received=_utcnow(),
                                         gamertag=self._gamertags.get(record.xuid))
            key = presence_key(event.state, event.title_id, event.rich_presence, event.device_type)
            if self._presence.get(record.xuid) != key:
                self._presence[record.xuid] = key
                self._emit([event])

    # -- achievements: per title, found from what is played ---------------------------------------
    async def _watch_title(self, xuid: str, title_id: int) -> None:
        watched = self._watched_titles.setdefault(xuid, [])
        if title_id in watched:
            return
        info = await self._title(title_id)
        if info is None:
            return
        watched.append(title_id)
        resource = Resource("achievements", xuid, scid=info[0])
        for text in self._subs.add(resource):
            await self._send(text)
        if len(watched) > MAX_ACHIEVEMENT_TITLES:
            old = self._title_info.get(watched.pop(0))
            if old is not None:
                for text in self._subs.remove(Resource("achievements", xuid, scid=old[0])):
                    await self._send(text)

    async def _title(self, title_id: int) -> tuple[str, str] | None:
        """A title's SCID and name (titlehub), or None when it has none."""
        if title_id in self._title_info:
            return self._title_info[title_id]
        try:
            title = await self._client.titles.get(title_id, decorations=("scid",))
        except NotFoundException:
            self._title_info[title_id] = None
            return None
        except (TransportError, ServerError, RateLimited) as exc:
            log.warning("real-time events: could not look up title %s (%s)", title_id, exc)
            return None
        scid = title.service_config_id
        info = (scid.lower(), title.name or str(title_id)) if scid else None
        self._title_info[title_id] = info
        if info is not None:
            self._scid_titles[info[0]] = (title_id, info[1])
        return info

    # -- captures: polled ---------------------------------------------------------------------------
    async def _poll(self) -> None:
        from ..models import events as models

        self._poll_at = self._now() + self._interval
        for xuid, _gamertag in self.users:
            for kind in ("clip", "screenshot"):
                resource: Any = self._client.clips if kind == "clip" else self._client.screenshots
                lists = [("metadata", resource.recent(xuid, limit=POLL_PAGE, page_size=POLL_PAGE))]
                if xuid == self._me and self._mediahub:
                    lists.append(("mediahub", resource.mine(limit=POLL_PAGE, page_size=POLL_PAGE)))
                for source, pager in lists:
                    try:
                        found = [capture async for capture in pager]
                    except AuthenticationException:
                        if source != "mediahub":
                            raise
                        log.warning("real-time events: mediahub refused the sign-in; new "
                                    "captures of newer titles will not be seen")
                        self._mediahub = False
                        continue
                    except XboxException as exc:
                        log.warning("real-time events: could not poll %s's %ss (%s)",
                                    self._gamertags.get(xuid) or xuid, kind, exc)
                        continue
                    key = (xuid, f"{source}:{kind}")
                    seen = self._seen.get(key)
                    fresh = set(new_ids(seen, [c.id for c in found]))
                    self._seen[key] = (set(seen or ()) | {c.id for c in found}) if len(
                        seen or ()) < SEEN_LIMIT else {c.id for c in found}
                    for capture in reversed(found):  # oldest first
                        if capture.id in fresh and not self._already(capture.id):
                            self._emit([models.from_capture(
                                capture, xuid=xuid, received=_utcnow(),
                                gamertag=self._gamertags.get(xuid), resource=f"{source}:{kind}s")])

    def _already(self, capture_id: str) -> bool:
        """Whether another list already delivered this capture (mediahub and the metadata
        lists overlap)."""
        if capture_id in self._delivered:
            return True
        self._delivered.append(capture_id)
        return False
