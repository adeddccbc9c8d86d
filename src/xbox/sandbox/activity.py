"""The sandbox world as it changes: people come online, play, unlock achievements, record
clips. Each change edits the world, so that every REST service answers consistently with it,
and is pushed to the Real-Time Activity connections subscribed to what changed.

Changes come from a test control (``sandbox.activity.play("JoeAlcorn", ...)``, or over HTTP
on the served sandbox: :mod:`xbox.sandbox.services.control`) or from a seeded schedule
(``sandbox.activity.start()``, ``Sandbox(activity=True)``, ``xbox sandbox serve
--activity``): every :attr:`Activity.pace` seconds of the sandbox clock, one step of a cycle
that keeps JoeAlcorn busy (a presence change at least every other step) and some of his
friends coming and going. A fresh sandbox's world stays still until one of them is used.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .world import Capture, Title

if TYPE_CHECKING:
    from .app import Sandbox
    from .world import Account

__all__ = ["DEFAULT_PACE", "Activity", "Change"]

#: Seconds between two scheduled steps.
DEFAULT_PACE = 1.5
#: A clock that jumps (tests move it by hours) replays at most this many missed steps.
MAX_CATCH_UP = 12
_RICH_TEXTS = ["In the menus", "Chapter 3: The Descent", "Ranked match", "Free roam",
               "Exploring the map", "Boss fight", "Multiplayer lobby", "Photo mode"]
_DEVICES = ["XboxOne", "Scarlett", "WindowsOneCore", "iOS", "Android"]


def _uri(kind: str, xuid: str, tail: str = "") -> str:
    hosts = {"presence": f"https://userpresence.xboxlive.com/users/xuid({xuid})/richpresence",
             "devices": f"https://userpresence.xboxlive.com/users/xuid({xuid})/devices",
             "titles": f"https://userpresence.xboxlive.com/users/xuid({xuid})/titles/{tail}",
             "achievements": f"https://achievements.xboxlive.com/users/xuid({xuid})/achievements/{tail}",
             "stats": f"https://userstats.xboxlive.com/users/xuid({xuid})/scids/{tail}",
             "friends": f"http://social.xboxlive.com/users/xuid({xuid})/friends"}
    return hosts[kind]


@dataclass(frozen=True)
class Change:
    """One change of the world: what happened, to whom, and what RTA pushed for it.

    Attributes:
        what: ``online``, ``offline``, ``play``, ``rich_presence``, ``achievement``,
            ``clip``, ``screenshot``, ``stat``, ``friend_added``, ``friend_removed``.
        xuid / gamertag: whose world changed.
        at: the sandbox clock's time.
        details: the change's particulars (title, achievement id, capture id...).
        pushed: (resource URI, data) of every RTA event it caused.
    """

    what: str
    xuid: str
    gamertag: str
    at: float
    details: dict[str, Any] = field(default_factory=dict)
    pushed: tuple[tuple[str, Any], ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"what": self.what, "xuid": self.xuid, "gamertag": self.gamertag, "at": self.at,
                "details": self.details, "pushed": [[u, d] for u, d in self.pushed]}


class Activity:
    """The world's changes over time (see the module's docstring).

    Every control takes the sandbox's lock, edits the world, publishes the RTA events and
    returns the :class:`Change`; ``changes`` keeps them all, oldest first.
    """

    def __init__(self, sb: Sandbox, *, pace: float = DEFAULT_PACE) -> None:
        self.sb = sb
        self.pace = pace
        self.changes: list[Change] = []
        self._rng = random.Random(f"{sb.seed}:activity")
        self._started_at: float | None = None
        self._steps_done = 0
        self._rich: dict[str, str] = {}  # xuid -> rich presence text
        # (xuid, title id) -> achievement id -> (state, current, unlocked)
        self._progress: dict[tuple[str, int], dict[int, tuple[str, int | None, datetime | None]]] = {}
        self._stats: dict[tuple[str, int, str], int] = {}

    # -- the schedule -------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Whether the seeded schedule is on."""
        return self._started_at is not None

    def start(self, *, pace: float | None = None) -> None:
        """Start the seeded schedule: its first step comes ``pace`` seconds from now."""
        with self.sb.lock:
            if pace is not None:
                self.pace = pace
            if self._started_at is None:
                self._started_at = self.sb.clock()
                self._steps_done = 0

    def stop(self) -> None:
        """Stop the schedule (the world keeps what it became)."""
        with self.sb.lock:
            self._started_at = None

    def tick(self) -> list[Change]:
        """Apply the scheduled steps that are due (the caller holds the sandbox's lock)."""
        if self._started_at is None or self.pace <= 0:
            return []
        due = int((self.sb.clock() - self._started_at) // self.pace)
        if due - self._steps_done > MAX_CATCH_UP:
            self._steps_done = due - MAX_CATCH_UP
        out: list[Change] = []
        while self._steps_done < due:
            out += self._step(self._steps_done)
            self._steps_done += 1
        return out

    def _cast(self) -> list[Account]:
        world = self.sb.world
        friends = sorted(world.joe.friends)[:4]
        return [world.by_xuid[x] for x in friends if x in world.by_xuid]

    def _step(self, n: int) -> list[Change]:
        """Step ``n`` of the cycle: JoeAlcorn's presence changes on every even step."""
        world, rng = self.sb.world, self._rng
        joe = world.joe
        cast = self._cast()
        phase = n % 6
        if phase in (0, 4):
            return [self._rich_presence(joe, rng.choice(_RICH_TEXTS))]
        if phase == 2:
            choices = [t for t in joe.titles if t != joe.last_seen_title and not t.mediahub_only]
            return self._play(joe, rng.choice(choices or joe.titles), None, None)
        if phase == 3:
            change = self._unlock(joe, joe.last_seen_title, None)
            return [change] if change is not None else []
        if phase == 5:
            kind = "clip" if (n // 6) % 3 != 2 else "screenshot"
            return [self._capture(joe, kind, joe.last_seen_title)]
        if not cast:
            return []
        friend = cast[(n // 6) % len(cast)]
        if friend.presence_state == "Online":
            return [self._offline(friend)]
        title = rng.choice(friend.titles) if friend.titles else None
        return self._play(friend, title, rng.choice(_DEVICES), None)

    # -- what REST services read back -----------------------------------------------------------
    def rich_presence_text(self, account: Account) -> str:
        """The rich presence text of an online user (presence's ``activity.richPresence``)."""
        title = account.last_seen_title
        return self._rich.get(account.xuid) or (f"Playing {title.name}" if title else "")

    def progress(self, xuid: str, title_id: int
                 ) -> dict[int, tuple[str, int | None, datetime | None]]:
        """Achievement progress changed since the world was made: id -> (state, current,
        unlocked)."""
        return self._progress.get((xuid, title_id), {})

    def stat_override(self, xuid: str, title_id: int, name: str) -> int | None:
        """A statistic's value set since the world was made (None: as seeded)."""
        return self._stats.get((xuid, title_id, name))

    def stat_value(self, account: Account, title: Title, name: str) -> int | None:
        """A statistic's value as userstats reports it (None: never played the title)."""
        from .services.userstats import stat_value

        value = stat_value(self.sb, account, title, name)
        return None if value is None else int(value)

    # -- controls (the Python API; each also over HTTP on the served sandbox) -------------------
    def _account(self, who: str) -> Account:
        world = self.sb.world
        account = world.by_xuid.get(who) if who.isdigit() else world.account_by_gamertag(who)
        if account is None:
            raise KeyError(f"no sandbox user {who!r}")
        return account

    def _title(self, account: Account, title: int | str | None) -> Title:
        if title is None:
            chosen = account.last_seen_title or (account.titles[0] if account.titles else None)
            if chosen is None:
                return self.sb.world.titles[0]
            return chosen
        text = str(title).strip().lower()
        for t in self.sb.world.titles:
            if str(t.title_id) == text or t.name.lower() == text or t.scid.lower() == text:
                return t
        raise KeyError(f"no sandbox title {title!r}")

    def play(self, who: str, title: int | str | None = None, *, device: str | None = None,
             rich_presence: str | None = None) -> list[Change]:
        """``who`` comes online (if offline) and plays ``title`` (id, name or SCID)."""
        with self.sb.lock:
            account = self._account(who)
            return self._play(account, self._title(account, title), device, rich_presence)

    def online(self, who: str, *, device: str | None = None) -> Change:
        """``who`` signs in on ``device``, playing what they played last."""
        with self.sb.lock:
            account = self._account(who)
            return self._online(account, device or account.last_seen_device)

    def offline(self, who: str) -> Change:
        """``who`` signs out."""
        with self.sb.lock:
            return self._offline(self._account(who))

    def set_rich_presence(self, who: str, text: str) -> Change:
        """``who``'s rich presence text (they come online if they were not)."""
        with self.sb.lock:
            account = self._account(who)
            if account.presence_state != "Online":
                self._online(account, account.last_seen_device)
            return self._rich_presence(account, text)

    def unlock_achievement(self, who: str, title: int | str | None = None,
                           achievement_id: int | None = None) -> Change | None:
        """``who`` unlocks an achievement of ``title`` (default: one they have not); None
        when every achievement of the title is unlocked already."""
        with self.sb.lock:
            account = self._account(who)
            return self._unlock(account, self._title(account, title), achievement_id)

    def record_clip(self, who: str, title: int | str | None = None) -> Capture:
        """``who`` records a game clip (of ``title``; default: the one they play); it is in
        every capture list from now on. Returns the capture."""
        with self.sb.lock:
            account = self._account(who)
            return self._capture_of(self._capture(account, "clip", self._title(account, title)))

    def take_screenshot(self, who: str, title: int | str | None = None) -> Capture:
        """``who`` takes a screenshot (as :meth:`record_clip`)."""
        with self.sb.lock:
            account = self._account(who)
            return self._capture_of(
                self._capture(account, "screenshot", self._title(account, title)))

    def set_stat(self, who: str, title: int | str, name: str, value: int) -> Change:
        """``who``'s statistic ``name`` in ``title`` becomes ``value``."""
        with self.sb.lock:
            account = self._account(who)
            t = self._title(account, title)
            self._stats[(account.xuid, t.title_id, name)] = int(value)
            uri = _uri("stats", account.xuid, f"{t.scid}/stats/{name}")
            return self._record("stat", account, {"title_id": t.title_id, "name": name,
                                                  "value": int(value)}, [(uri, int(value))])

    def add_friend(self, who: str, friend: str) -> Change:
        """``who`` adds ``friend`` to their friends (people and social lists follow)."""
        with self.sb.lock:
            account, other = self._account(who), self._account(friend)
            if other.xuid not in account.friends:
                account.friends.append(other.xuid)
            data = {"NotificationType": "Added", "Xuids": [other.xuid]}
            return self._record("friend_added", account, {"friend": other.xuid},
                                [(_uri("friends", account.xuid), data)])

    def remove_friend(self, who: str, friend: str) -> Change:
        """``who`` removes ``friend``."""
        with self.sb.lock:
            account, other = self._account(who), self._account(friend)
            if other.xuid in account.friends:
                account.friends.remove(other.xuid)
            data = {"NotificationType": "Removed", "Xuids": [other.xuid]}
            return self._record("friend_removed", account, {"friend": other.xuid},
                                [(_uri("friends", account.xuid), data)])

    # -- the changes, the caller holding the lock -------------------------------------------------
    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.sb.clock(), UTC).replace(microsecond=0)

    def _record(self, what: str, account: Account, details: dict[str, Any],
                pushed: list[tuple[str, Any]]) -> Change:
        change = Change(what, account.xuid, account.gamertag, self.sb.clock(), details,
                        tuple(pushed))
        self.changes.append(change)
        for uri, data in pushed:
            self.sb.rta.publish(uri, data)
        return change

    def _presence_pushes(self, account: Account) -> list[tuple[str, Any]]:
        from .services.rta import rich_presence

        return [(_uri("presence", account.xuid), rich_presence(self.sb, account))]

    def _online(self, account: Account, device: str) -> Change:
        was_online = account.presence_state == "Online"
        account.presence_state, account.last_seen_device = "Online", device
        account.last_seen = self._now()
        pushes = self._presence_pushes(account)
        if not was_online:
            pushes.append((_uri("devices", account.xuid), f"{device}:true"))
        return self._record("online", account, {"device": device}, pushes)

    def _offline(self, account: Account) -> Change:
        device, title = account.last_seen_device, account.last_seen_title
        account.presence_state, account.last_seen = "Offline", self._now()
        pushes = self._presence_pushes(account)
        pushes.append((_uri("devices", account.xuid), f"{device}:false"))
        if title is not None:
            pushes.append((_uri("titles", account.xuid, str(title.title_id)),
                           f"Ended:{title.title_id}"))
        return self._record("offline", account, {"device": device}, pushes)

    def _play(self, account: Account, title: Title | None, device: str | None,
              rich: str | None) -> list[Change]:
        out = []
        if account.presence_state != "Online":
            out.append(self._online(account, device or account.last_seen_device))
        elif device is not None:
            account.last_seen_device = device
        if title is None:
            return out
        before = account.last_seen_title
        if title not in account.titles:
            account.titles.insert(0, title)
        account.last_seen_title, account.last_seen = title, self._now()
        if rich is not None:
            self._rich[account.xuid] = rich
        else:
            self._rich.pop(account.xuid, None)
        pushes = self._presence_pushes(account)
        if before is not None and before != title:
            pushes.append((_uri("titles", account.xuid, str(before.title_id)),
                           f"Ended:{before.title_id}"))
        pushes.append((_uri("titles", account.xuid, str(title.title_id)),
                       f"Started:{title.title_id}"))
        out.append(self._record("play", account, {"title_id": title.title_id,
                                                  "title": title.name}, pushes))
        return out

    def _rich_presence(self, account: Account, text: str) -> Change:
        self._rich[account.xuid] = text
        account.last_seen = self._now()
        return self._record("rich_presence", account, {"text": text},
                            self._presence_pushes(account))

    def _unlock(self, account: Account, title: Title | None,
                achievement_id: int | None) -> Change | None:
        from .services.achievements import dotnet_time, title_progress

        if title is None:
            return None
        if title not in account.titles:
            account.titles.append(title)
        progress = title_progress(self.sb, account, title)
        if achievement_id is not None:
            chosen = [p for p in progress if p.definition.id == achievement_id]
        else:
            chosen = [p for p in progress if p.state != "Achieved"]
        if not chosen:
            return None
        p = chosen[0]
        when = self._now()
        self._progress.setdefault((account.xuid, title.title_id), {})[p.definition.id] = (
            "Achieved", p.definition.target, when)
        if p.state != "Achieved":
            account.gamerscore += p.definition.gamerscore
        self.sb.world.changed()
        target = str(p.definition.target)
        data = {"progression": [{
            "id": str(p.definition.id), "progressState": "Achieved",
            "timeUnlocked": dotnet_time(when),
            "requirements": [{"id": p.definition.requirement_id, "current": target,
                              "target": target, "operationType": "sum", "valueType": "Integer",
                              "ruleParticipationType": "Individual"}]}],
            "serviceConfigId": title.scid}
        return self._record("achievement", account, {
            "title_id": title.title_id, "title": title.name, "achievement_id": p.definition.id,
            "name": p.definition.name, "gamerscore": p.definition.gamerscore},
            [(_uri("achievements", account.xuid, title.scid.lower()), data)])

    def _capture(self, account: Account, kind: str, title: Title | None) -> Change:
        rng = self._rng
        title = title or (account.titles[0] if account.titles else self.sb.world.titles[0])
        now = self._now()
        is_clip = kind == "clip"
        capture = Capture(
            kind=kind, id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), xuid=account.xuid,
            title=title, recorded=now, published=now + timedelta(seconds=1),
            last_modified=now + timedelta(seconds=1), saved=False, state="Published",
            duration=rng.randint(10, 60) if is_clip else 0,
            size=rng.randint(40_000, 200_000) if is_clip else rng.randint(20_000, 90_000),
            thumb_small_size=rng.randint(2_000, 6_000), thumb_large_size=rng.randint(6_000, 16_000),
            views=0, rating=0.0, rating_count=0, likes=0, caption="", greatest_moment="",
            device=account.last_seen_device if account.last_seen_device in (
                "XboxOne", "Durango", "Scorpio", "Scarlett") else "Scarlett",
            locale="en-US", width=1920, height=1080,
            system_properties=str(uuid.UUID(int=rng.getrandbits(128), version=4)) + "0;")
        world = self.sb.world
        lists = (world.mediahub_only(account, kind) if title.mediahub_only
                 else world.metadata(account, kind))
        lists.insert(0, capture)
        world.changed()
        # No RTA resource announces captures (the client polls for them).
        return self._record(kind, account, {"id": capture.id, "title_id": title.title_id,
                                            "title": title.name}, [])

    def _capture_of(self, change: Change) -> Capture:
        return self.sb.world.captures_by_id[change.details["id"]]
