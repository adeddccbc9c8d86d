"""The world behind the newer services: consoles, messages, pins, store facts, stats.

Derived from a seeded :class:`~xbox.sandbox.world.World` (never stored in it), and kept
per sandbox in ``sandbox.state`` by :func:`services_world`, so commands, messages and pins
change one sandbox's world only. Ids a client's tests need are fixed constants
(:data:`JOE_CONSOLES`), or derived from the world seed the same way every time.

Title facts (developer, publisher, release date, store ids) describe the world's real
titles plausibly; they are sandbox data, not a copy of the store.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .world import Account, Title, World

if TYPE_CHECKING:
    from .app import Sandbox

__all__ = [
    "JOE_CONSOLES",
    "NETFLIX",
    "Console",
    "Conversation",
    "InstalledApp",
    "Message",
    "Operation",
    "Pin",
    "ServicesWorld",
    "StorageDevice",
    "StoreApp",
    "TitleFacts",
    "conversation_id",
    "services_world",
]

# JoeAlcorn's consoles: (id, name, consoleType, powerState). Fixed for every seed so that
# client tests can name them.
JOE_CONSOLES = (
    ("F4001A2B3C4D5E6F", "Living Room", "XboxSeriesX", "On"),
    ("FD00B7C8D9E0F112", "Bedroom", "XboxOneS", "ConnectedStandby"),
)
HOME_AUMID = "Xbox.Dashboard_8wekyb3d8bbwe!Xbox.Dashboard.Application"
TV_AUMID = "Microsoft.Xbox.LiveTV_8wekyb3d8bbwe!Microsoft.Xbox.LiveTV"
# Seconds an operation stays Pending before it ends (on the sandbox clock).
OPERATION_SECONDS = 2.0

# Store alphabet: BigIds are 12 characters of digits and consonants.
_BIG_ID_ALPHABET = "0123456789BCDFGHJKLMNPQRSTVWXZ"


def _digest(*parts: object) -> bytes:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()


def _guid(*parts: object) -> str:
    return str(uuid.UUID(bytes=_digest(*parts)[:16], version=4))


def big_id(*parts: object) -> str:
    """A store product id (``9WZDNCRFJ3TJ`` style), stable for the same parts."""
    number = int.from_bytes(_digest("bigid", *parts), "big")
    chars = []
    for _ in range(11):
        number, rest = divmod(number, len(_BIG_ID_ALPHABET))
        chars.append(_BIG_ID_ALPHABET[rest])
    return "9" + "".join(chars)


# -- titles -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class TitleFacts:
    """What titlehub, the store and the console know about one title."""

    title: Title
    pfn: str
    product_id: str
    legacy_product_id: str
    windows_phone_product_id: str
    bing_id: str
    developer: str
    publisher: str
    genres: tuple[str, ...]
    released: datetime
    min_age: int
    devices: tuple[str, ...]
    streamable: bool
    game_pass: bool
    gold_required: bool
    multiplayer: tuple[int, int] | None  # (min, max) online players
    size: int  # install size in bytes

    @property
    def aumid(self) -> str:
        return f"{self.pfn}!App"

    @property
    def description(self) -> str:
        return (f"{self.title.name} from {self.developer}.\r\n\r\nPlay it on "
                f"{', '.join(self.devices)}.")

    @property
    def short_description(self) -> str:
        return f"{self.title.name}: a {self.genres[0].lower()} game by {self.developer}."


# titleId -> (developer, publisher, genre, release date, min age, devices, streamable,
#             game pass, gold required, online players). Xbox One games list XboxSeries too
# when they play there (the 2020 history recording shows such a title).
_FACTS: dict[int, tuple[str, str, str, str, int, tuple[str, ...], bool, bool, bool,
                        tuple[int, int] | None]] = {
    1813362885: ("EA Canada", "Electronic Arts", "Sports", "2013-11-22", 3,
                 ("XboxOne", "XboxSeries"), False, False, True, (2, 22)),
    219630713: ("343 Industries", "Microsoft Studios", "Shooter", "2015-10-27", 16,
                ("XboxOne", "XboxSeries"), True, True, True, (2, 24)),
    822567888: ("Three Fields Entertainment", "Three Fields Entertainment", "Racing & flying",
                "2017-05-30", 3, ("XboxOne", "XboxSeries"), False, False, False, None),
    1717113201: ("Rare Ltd", "Microsoft Studios", "Action & adventure", "2018-03-20", 12,
                 ("PC", "XboxOne", "XboxSeries"), True, True, True, (2, 4)),
    1560034050: ("Ubisoft Quebec", "Ubisoft", "Action & adventure", "2015-10-23", 16,
                 ("XboxOne",), False, False, False, None),
    1297290392: ("Carbonated Games", "Microsoft Game Studios", "Puzzle & trivia",
                 "2005-11-22", 3, ("Xbox360",), False, False, False, None),
    16468936: ("Extend Studio", "Extend Studio", "Platformer", "2014-09-10", 7,
               ("XboxOne",), False, False, False, None),
    19615130: ("Metalhead Software", "Metalhead Software", "Sports", "2016-05-04", 3,
               ("XboxOne",), False, False, True, (2, 2)),
    1144039928: ("Playground Games", "Xbox Game Studios", "Racing & flying", "2021-11-09", 3,
                 ("PC", "XboxOne", "XboxSeries"), True, True, False, (2, 72)),
    2030093255: ("Mojang", "Microsoft Studios", "Family & kids", "2017-09-20", 7,
                 ("XboxOne", "XboxSeries"), True, True, False, (2, 8)),
}


def _facts(title: Title) -> TitleFacts:
    known = _FACTS.get(title.title_id)
    dev, pub, genre, released, age, devices, stream, gp, gold, players = known or (
        "Sandbox Studio", "Sandbox Publishing", "Action & adventure", "2020-01-01", 7,
        ("XboxOne",), False, False, False, None)
    compact = "".join(ch for ch in title.name if ch.isalnum())
    size = 2_000_000_000 + int.from_bytes(_digest("size", title.title_id)[:4], "big") % (
        60_000_000_000)
    return TitleFacts(
        title=title, pfn=f"Microsoft.{compact}_8wekyb3d8bbwe",
        product_id=big_id(title.title_id), legacy_product_id=_guid("legacy", title.title_id),
        windows_phone_product_id=_guid("wp", title.title_id),
        bing_id=_guid("bing", title.title_id), developer=dev, publisher=pub, genres=(genre,),
        released=datetime.fromisoformat(released).replace(tzinfo=UTC), min_age=age,
        devices=devices, streamable=stream, game_pass=gp, gold_required=gold,
        multiplayer=players, size=size)


@dataclass(frozen=True)
class StoreApp:
    """An app (not a game) consoles have installed."""

    name: str
    pfn: str
    product_id: str
    title_id: int
    size: int


# Netflix as the 2020 smartglass and store recordings show it (public store ids).
NETFLIX = StoreApp("Netflix", "4DF9E0F8.Netflix_mcm4njqhnhss8", "9WZDNCRFJ3TJ", 327370029,
                   7_250_253)


# -- consoles ---------------------------------------------------------------------------------

@dataclass
class StorageDevice:
    id: str  # "1", "2": the id the storage list shows
    guid: str  # the id installed apps carry (the recordings show both kinds)
    name: str
    is_default: bool
    total: int
    free: int


@dataclass
class InstalledApp:
    product_id: str
    title_id: int
    aumid: str
    name: str
    is_game: bool
    unique_id: str
    legacy_product_id: str | None
    storage: StorageDevice
    version: int
    size: int
    installed: datetime
    updated: datetime
    last_active: datetime


@dataclass
class Operation:
    """One command sent to a console, and how it ends."""

    op_id: str
    console_id: str
    session_id: str
    command: str
    started: float  # sandbox clock
    outcome: str  # the final operationStatus: Succeeded | OffConsoleError | Error


@dataclass
class Console:
    id: str
    name: str
    console_type: str
    power_state: str
    storage: list[StorageDevice]
    apps: list[InstalledApp]
    locale: str = "en-US"
    remote_management: bool = True
    streaming: bool = False
    assistant: bool = True
    playback_state: str = "Stopped"
    focus_aumid: str = HOME_AUMID
    muted: bool = False
    volume: int = 50
    keys: list[str] = field(default_factory=list)  # every key and string injected, in order


# -- messages ---------------------------------------------------------------------------------

def conversation_id(a: str, b: str) -> str:
    """The id of the one-to-one conversation of two users, as Xbox forms it.

    The recordings show it: the 16 bytes of the two xuids as little-endian int64, lower
    xuid first, read as a .NET Guid (``05907fa3-0000-0009-acbd-299772a90900``).
    """
    low, high = sorted((int(a), int(b)))
    return str(uuid.UUID(bytes_le=low.to_bytes(8, "little") + high.to_bytes(8, "little")))


@dataclass
class Message:
    id: int  # increasing: 100 ns ticks since 1970 on the sandbox clock (17 digits)
    sender: str
    text: str
    sent: datetime
    updated: datetime
    deleted: bool = False
    system: bool = False  # from Xbox itself (sender "0"): no unsuitableFor in its parts


@dataclass
class Conversation:
    id: str
    participants: tuple[str, str]  # lower xuid first, as recorded
    messages: list[Message] = field(default_factory=list)
    read_horizon: dict[str, int] = field(default_factory=dict)  # per participant
    delete_horizon: dict[str, int] = field(default_factory=dict)

    def visible(self, xuid: str) -> list[Message]:
        """The messages ``xuid`` still sees: those above their delete horizon."""
        floor = self.delete_horizon.get(xuid, 0)
        return [m for m in self.messages if m.id > floor]


# -- pins -------------------------------------------------------------------------------------

@dataclass
class Pin:
    item_id: str
    content_type: str
    title: str | None
    device_type: str
    provider: str | None
    provider_id: str | None
    added: datetime
    modified: datetime
    kvalue: int  # a number the pin keeps while it is in the list


# -- the whole -------------------------------------------------------------------------------

def _ticks(when: datetime) -> int:
    return int(when.timestamp() * 10_000_000)


@dataclass
class ServicesWorld:
    """Consoles, conversations, pins and store facts of one sandbox's world."""

    world: World
    consoles: dict[str, list[Console]] = field(default_factory=dict)  # by owner xuid
    operations: dict[str, Operation] = field(default_factory=dict)
    conversations: dict[str, Conversation] = field(default_factory=dict)
    pins: dict[str, list[Pin]] = field(default_factory=dict)
    pin_versions: dict[str, int] = field(default_factory=dict)
    pin_kvalues: int = 0  # the last KValue handed out
    reservations: dict[str, tuple[str, float]] = field(default_factory=dict)  # gt -> (xuid, until)
    free_changes: dict[str, int] = field(default_factory=dict)
    facts: dict[int, TitleFacts] = field(default_factory=dict)
    _last_message: int = 0

    def __post_init__(self) -> None:
        self.facts = {t.title_id: _facts(t) for t in self.world.titles}
        joe = self.world.joe
        self.consoles[joe.xuid] = self._joe_consoles(joe)
        self._seed_messages(joe)
        self._seed_pins(joe)

    # -- look-ups ---------------------------------------------------------------------------
    def facts_by_pfn(self, pfn: str) -> TitleFacts | None:
        return next((f for f in self.facts.values() if f.pfn.lower() == pfn.lower()), None)

    def console(self, owner: Account, console_id: str) -> Console | None:
        return next((c for c in self.consoles.get(owner.xuid, []) if c.id == console_id), None)

    def conversations_of(self, xuid: str) -> list[Conversation]:
        return [c for c in self.conversations.values()
                if xuid in c.participants and c.visible(xuid)]

    def conversation_with(self, xuid: str, other: str, *, create: bool = False
                          ) -> Conversation | None:
        cid = conversation_id(xuid, other)
        found = self.conversations.get(cid)
        if found is None and create:
            low, high = sorted((xuid, other), key=int)
            found = self.conversations[cid] = Conversation(cid, (low, high))
        return found

    def post(self, conversation: Conversation, sender: str, text: str, when: datetime,
             *, system: bool = False) -> Message:
        """Add a message; ids only grow, even if the sandbox clock runs behind the world."""
        self._last_message = max(_ticks(when), self._last_message + 1)
        message = Message(self._last_message, sender, text, when, when, system=system)
        conversation.messages.append(message)
        conversation.read_horizon[sender] = message.id  # your own message is read
        return message

    # -- seeding ----------------------------------------------------------------------------
    def _rng(self, *parts: object) -> random.Random:
        return random.Random(_digest(self.world.seed, *parts))

    def _joe_consoles(self, joe: Account) -> list[Console]:
        rng = self._rng("consoles")
        epoch = self.world.epoch
        consoles = []
        games = [self.facts[t.title_id] for t in joe.titles if "Xbox360" not in
                 self.facts[t.title_id].devices]
        for n, (cid, name, kind, power) in enumerate(JOE_CONSOLES):
            internal_total = 1_000_000_000_000 if kind == "XboxSeriesX" else 500_000_000_000
            storage = [StorageDevice(str(2 * n + 1), _guid("storage", cid, 1).upper(),
                                     "Internal", n == 1, internal_total, 0)]
            if n == 0:
                storage.append(StorageDevice(str(2 * n + 2), _guid("storage", cid, 2).upper(),
                                             "External", True, 4_000_000_000_000, 0))
            chosen = games if n == 0 else games[: len(games) // 2]
            apps: list[InstalledApp] = []
            for facts in chosen:
                installed = epoch - timedelta(days=rng.randint(60, 900),
                                              milliseconds=rng.randint(0, 999))
                apps.append(InstalledApp(
                    product_id=facts.product_id, title_id=facts.title.title_id,
                    aumid=facts.aumid, name=facts.title.name, is_game=True,
                    unique_id=_guid("unique", cid, facts.title.title_id).upper(),
                    legacy_product_id=facts.legacy_product_id.upper(),
                    storage=storage[-1], version=rng.randint(1, 2**48),
                    size=facts.size, installed=installed,
                    updated=installed + timedelta(days=rng.randint(1, 50)),
                    last_active=epoch - timedelta(hours=rng.randint(1, 900),
                                                  milliseconds=rng.randint(0, 999))))
            installed = epoch - timedelta(days=rng.randint(300, 1500))
            apps.append(InstalledApp(
                product_id=NETFLIX.product_id, title_id=NETFLIX.title_id,
                aumid=f"{NETFLIX.pfn}!App", name=NETFLIX.name, is_game=False,
                unique_id=NETFLIX.pfn, legacy_product_id=None, storage=storage[0],
                version=rng.randint(1, 2**51), size=NETFLIX.size, installed=installed,
                updated=installed + timedelta(days=rng.randint(1, 400)),
                last_active=epoch - timedelta(hours=rng.randint(1, 300))))
            for device in storage:
                used = sum(a.size for a in apps if a.storage is device)
                device.free = max(device.total - used - rng.randint(1, 10) * 10**10, 0)
            console = Console(cid, name, kind, power, storage, apps,
                              streaming=kind == "XboxSeriesX")
            if power == "On":
                console.focus_aumid = apps[0].aumid
                console.playback_state = "Playing"
            consoles.append(console)
        return consoles

    def _seed_messages(self, joe: Account) -> None:
        rng = self._rng("messages")
        by_xuid = self.world.by_xuid
        mutual = [x for x in joe.friends if joe.xuid in by_xuid[x].friends]
        lines = ["gg", "Up for a match tonight?", "That clip was unreal",
                 "Sure, after dinner", "Did you see the new update?", "Nice one!",
                 "Invite me when you're on", "lol"]
        when = self.world.epoch - timedelta(days=20)
        for friend in mutual[:3]:
            conversation = self.conversation_with(joe.xuid, friend, create=True)
            assert conversation is not None
            for n in range(rng.randint(3, 6)):
                when += timedelta(minutes=rng.randint(5, 60 * 30),
                                  microseconds=rng.randint(0, 999_999))
                sender = friend if n % 2 == 0 else joe.xuid
                self.post(conversation, sender, rng.choice(lines), when)
        # Xbox itself writes from xuid 0; Joe has not read its last message.
        system = self.conversation_with(joe.xuid, "0", create=True)
        assert system is not None
        when += timedelta(hours=3, microseconds=rng.randint(0, 999_999))
        self.post(system, "0", "Welcome to the sandbox: your consoles, messages and pins are "
                  "all here to try.", when, system=True)
        system.read_horizon[joe.xuid] = 0
        system.delete_horizon[joe.xuid] = 0
        # The first conversation was read up to its last message; the second was not.
        convs = [self.conversation_with(joe.xuid, f) for f in mutual[:3]]
        for n, conv in enumerate(c for c in convs if c is not None):
            last = conv.messages[-1]
            conv.read_horizon[joe.xuid] = last.id if n != 1 else conv.messages[0].id

    def _seed_pins(self, joe: Account) -> None:
        epoch = self.world.epoch
        halo = self.facts.get(219630713)
        items = [("Microsoft.Xbox.LiveTV_8wekyb3d8bbwe", "DApp", "TV"),
                 (NETFLIX.pfn, "DApp", NETFLIX.name)]
        if halo is not None:
            items.append((halo.pfn, "DGame", halo.title.name))
        self.pins[joe.xuid] = [
            Pin(item, kind, name, "XboxOne", None, None,
                epoch - timedelta(days=400 - 30 * n), epoch - timedelta(days=400 - 30 * n),
                kvalue=n + 1)
            for n, (item, kind, name) in enumerate(items)]
        self.pin_kvalues = len(items)
        self.pin_versions[joe.xuid] = 40 + len(items)

    # -- gamertags ---------------------------------------------------------------------------
    def changes_left(self, account: Account) -> int:
        """Free gamertag changes: every account starts with one, as Xbox gives one."""
        return self.free_changes.get(account.xuid, 1)


def services_world(sb: Sandbox) -> ServicesWorld:
    """The sandbox's services world, built from its world on first use."""
    found = sb.state.get("services_world")
    if not isinstance(found, ServicesWorld):
        found = sb.state["services_world"] = ServicesWorld(sb.world)
    return found


def json_time_ms(when: datetime) -> str:
    """``2020-10-07T21:00:48.036Z``: milliseconds, as xccs writes its times."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def seeded(world: World, *parts: object) -> random.Random:
    """A random source fixed by the world seed and ``parts`` (never by PYTHONHASHSEED)."""
    return random.Random(_digest(world.seed, *parts))
