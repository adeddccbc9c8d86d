"""The sandbox's seeded world: accounts, profiles, titles, captures and friendships.

Everything is derived from one integer seed, so the same seed always gives the same
users, clips, sizes and bytes. The world is plain data; services in ``services/`` turn it
into wire responses.
"""

from __future__ import annotations

import hashlib
import os
import random
import uuid
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any

from .media_files import Scene, mp4_file, png_file

__all__ = [
    "EPOCH_ENV",
    "EPOCH_STEP",
    "JOE_EMAIL",
    "JOE_GAMERTAG",
    "JOE_MEDIAHUB_ONLY_CLIPS",
    "JOE_MEDIAHUB_ONLY_SCREENSHOTS",
    "JOE_PASSWORD",
    "JOE_XUID",
    "WORLD_EPOCH",
    "Account",
    "Capture",
    "Title",
    "World",
    "world_epoch",
]

JOE_GAMERTAG = "JoeAlcorn"
JOE_XUID = "2533274812246958"
JOE_EMAIL = "joe@example.org"
JOE_PASSWORD = "hunter2"
JOE_GAMERPIC = (
    "http://images-eds.xboxlive.com/image?url=z951ykn43p4FqWbbFvR2Ec.8vbDhj8G2Xe7JngaTToBrrCmIEEXHC9U"
    "NrdJ6P7KIFXxmxGDtE9Vkd62rOpb7JcGvME9LzjeruYo3cC50qVYelz5LjucMJtB5xOqvr7WR"
)

# The moment a world is "now": capture dates count back from it by seeded offsets. A World
# built without an epoch uses this fixed one; a Sandbox passes its clock's time, rounded
# down to a step (see world_epoch), so that captures look about as recent as they would on
# Xbox Live today and yet stay put from one run to the next.
WORLD_EPOCH = datetime(2026, 11, 1, 12, 0, 0, tzinfo=UTC)  # a Sunday, noon
# An ISO 8601 time that pins the epoch of the worlds sandboxes build (for pages that show
# dates, reproducible demos, archives kept for long): e.g. 2026-11-01T12:00:00Z.
EPOCH_ENV = "XBOX_SANDBOX_EPOCH"
# A sandbox's epoch moves once a week, at the hour WORLD_EPOCH has: Sundays, 12:00 UTC.
# Within the week, every run (and every user) sees the same dates; the newest captures are
# then between an hour and nine days old.
EPOCH_STEP = timedelta(days=7)


def world_epoch(now: float) -> datetime:
    """The epoch of a sandbox's world whose clock reads ``now`` (unix seconds).

    ``$XBOX_SANDBOX_EPOCH`` if set, else the latest Sunday 12:00 UTC at or before ``now``
    (the latest WORLD_EPOCH + a whole number of EPOCH_STEP), so that sandboxes made in the
    same week have the same world: a listing, an archive or a test run twice in a week sees
    the same dates.
    """
    pinned = os.environ.get(EPOCH_ENV)
    if pinned:
        try:
            value = datetime.fromisoformat(pinned.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{EPOCH_ENV} is not an ISO 8601 time: {pinned!r}") from None
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    step = EPOCH_STEP.total_seconds()
    origin = WORLD_EPOCH.timestamp()
    return datetime.fromtimestamp(origin + (now - origin) // step * step, UTC)

# Accounts that sign in fine at login.live.com but that XSTS refuses, by XErr.
XERR_ACCOUNTS: dict[str, tuple[int, str | None]] = {
    "noprofile@example.org": (2148916233, "https://start.ui.xboxlive.com/CreateAccount"),
    "child@example.org": (2148916238, "https://start.ui.xboxlive.com/AddChildToFamily"),
    "restricted@example.org": (2148916229, None),
    "banned@example.org": (2148916227, None),
    "terms@example.org": (2148916234, None),
    "region@example.org": (2148916235, None),
    "adultverify@example.org": (2148916236, None),
    "agecheck@example.org": (2148916237, None),
}
# Accounts whose password sign-in Microsoft interrupts (2FA proof page).
TWO_FACTOR_ACCOUNTS = {"twofactor@example.org"}

_ADJECTIVES = [
    "Crossed", "Silent", "Major", "Crimson", "Lucky", "Frozen", "Rapid", "Hidden", "Golden",
    "Wild", "Iron", "Neon", "Cosmic", "Shadow", "Rusty", "Brave", "Quiet", "Electric",
]
_NOUNS = [
    "Comb", "Falcon", "Nelson", "Otter", "Badger", "Pixel", "Ranger", "Tux", "Wizard",
    "Comet", "Knight", "Panda", "Viking", "Ninja", "Rocket", "Walrus", "Lynx", "Mango",
]

# (titleId, name, scid) — real titles and SCIDs as seen in recordings.
_TITLES = [
    (1813362885, "FIFA 14", "c4060100-4951-4a51-a630-dce26c15b8c5"),
    (219630713, "Halo 5: Guardians", "1370999b-fca2-4c53-8ec5-73493bcb67e5"),
    (822567888, "Danger Zone", "d1adc8aa-0a31-4407-90f2-7e9b54b0347c"),
    (1717113201, "Sea of Thieves", "6f4a0100-7b91-4e9b-8cd6-08a765e5e0b1"),
    (1560034050, "Assassin's Creed\u00ae Syndicate", "a1e40100-51f2-4c05-9d6f-8c6bd7f3c4ab"),
    (1297290392, "Hexic HD", "00000000-0000-0000-0000-00004d53e998"),
    (16468936, "So Many Me", "3e770100-834e-4b82-b82c-689a00fb4bc8"),
    (19615130, "Super Mega Baseball: Extra Innings", "169f0100-035a-4cfb-9e87-4506012b4d9a"),
    (1144039928, "Forza Horizon 5", "4e1f0100-9e3b-4d4a-a4c1-2e6f44b8d311"),
    (2030093255, "Minecraft", "4fc10100-5f7a-4470-899b-280835760c07"),
]

# Titles released since 2019, whose captures only mediahub lists (see Title.mediahub_only).
# Title ids: Microsoft Flight Simulator as in the recorded mediahub screenshot
# (mediahub_screenshots_own.json); Halo Infinite as in public presence/titlehub payloads of
# several open-source projects; Starfield's id is invented (no recording or document found).
# Every SCID here is invented: none of them appears on a capture's wire body.
_NEWER_TITLES = [
    (1777860928, "Microsoft Flight Simulator", "a3b40100-2a5d-4b6f-9b1c-6a11e7d0c2f1"),
    (2043073184, "Halo Infinite", "39c90100-77d3-4b2c-8c38-5e6b5d4c1f0e"),
    (1838504405, "Starfield", "b5e40100-6f2c-4d8e-a7a1-3c0d9f5e2b47"),
]

_DEVICES = ["XboxOne", "Durango", "Scorpio", "Scarlett"]
_NEWER_DEVICES = ["Scarlett", "Scarlett", "Anaconda", "Lockhart"]
# JoeAlcorn's captures that only mediahub lists, placed among his newest ones.
JOE_MEDIAHUB_ONLY_CLIPS = 5
JOE_MEDIAHUB_ONLY_SCREENSHOTS = 4
_GREATEST_MOMENTS = ["", "", "", "DVR_Great_Punch", "DVR_Volley", "6"]


@dataclass(frozen=True)
class Title:
    """A game as Xbox Live knows it.

    ``mediahub_only``: a title released since 2019, whose captures mediahub search lists but
    gameclipsmetadata/screenshotsmetadata do not (the sandbox's model of why archivers that
    read only the metadata services miss today's captures).
    """

    title_id: int
    name: str
    scid: str
    mediahub_only: bool = False


@dataclass
class Capture:
    """One game clip or screenshot, with everything the metadata services report."""

    kind: str  # "clip" | "screenshot"
    id: str
    xuid: str
    title: Title
    recorded: datetime
    published: datetime
    last_modified: datetime
    saved: bool
    state: str
    duration: int  # seconds; 0 for screenshots
    size: int  # bytes of the media file
    thumb_small_size: int
    thumb_large_size: int
    views: int
    rating: float
    rating_count: int
    likes: int
    caption: str
    greatest_moment: str
    device: str
    locale: str
    width: int
    height: int
    system_properties: str

    @property
    def mediahub_only(self) -> bool:
        """Only mediahub lists this capture (its title is a newer one); the metadata services
        neither list it nor find it by id."""
        return self.title.mediahub_only

    @property
    def extension(self) -> str:
        return "MP4" if self.kind == "clip" else "png"

    @property
    def scene(self) -> Scene:
        """What the capture's pictures show: its game, its own scene, a clip's length and caption."""
        return Scene(self.id, self.title.name, self.duration if self.kind == "clip" else 0,
                     self.caption)

    def media_bytes(self) -> bytes:
        """The capture's file, exactly ``size`` bytes: an MP4 that plays for ``duration``
        seconds, or a PNG that opens."""
        if self.kind == "clip":
            return mp4_file(self.id, self.size, scene=self.scene)
        return png_file(self.id, self.size, *_SCREENSHOT_PIXELS, scene=self.scene)

    def thumbnail_bytes(self, size_name: str) -> bytes:
        """A thumbnail PNG ("Small" or "Large"), exactly its seeded size: the capture, smaller
        (a clip's first picture)."""
        if size_name == "Small":
            return png_file(self.id + size_name, self.thumb_small_size, *_SMALL_THUMBNAIL_PIXELS,
                            scene=self.scene)
        return png_file(self.id + size_name, self.thumb_large_size, *_LARGE_THUMBNAIL_PIXELS,
                        scene=self.scene)


# Pixel sizes of the stand-in images (16:9): small enough to fit the smallest seeded file sizes.
_SCREENSHOT_PIXELS = (512, 288)
_LARGE_THUMBNAIL_PIXELS = (128, 72)
_SMALL_THUMBNAIL_PIXELS = (64, 36)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


@dataclass
class Account:
    """A Microsoft account and, when it has one, its Xbox Live profile."""

    xuid: str
    gamertag: str
    gamerscore: int
    email: str | None = None
    password: str | None = None
    gamerpic: str = ""
    display_pic: str = ""
    account_tier: str = "Gold"
    rep: str = "GoodPlayer"
    bio: str = ""
    location: str = ""
    real_name: str = ""
    tenure: int = 1
    age_group: str = "Adult"
    xerr: int | None = None
    xerr_redirect: str | None = None
    two_factor: bool = False
    msa_user_id: str = ""
    presence_state: str = "Offline"
    last_seen_title: Title | None = None
    last_seen_device: str = "XboxOne"
    last_seen: datetime = WORLD_EPOCH
    clips: list[Capture] = field(default_factory=list)  # what the metadata services list
    screenshots: list[Capture] = field(default_factory=list)
    # Captures of newer titles: mediahub lists them (with the above), the metadata services not.
    mediahub_only_clips: list[Capture] = field(default_factory=list)
    mediahub_only_screenshots: list[Capture] = field(default_factory=list)
    titles: list[Title] = field(default_factory=list)
    friends: list[str] = field(default_factory=list)  # xuids

    def profile_settings(self) -> dict[str, str]:
        """Every profile setting the service knows, by wire name; all values are strings."""
        pic_raw = self.gamerpic + "&format=png"
        return {
            "AppDisplayName": self.gamertag,
            "AppDisplayPicRaw": pic_raw,
            "GameDisplayName": self.gamertag,
            "GameDisplayPicRaw": pic_raw,
            "DisplayPic": self.display_pic,
            "PublicGamerpic": self.gamerpic,
            "ShowUserAsAvatar": "1",
            "Gamerscore": str(self.gamerscore),
            "Gamertag": self.gamertag,
            "ModernGamertag": self.gamertag,
            "ModernGamertagSuffix": "",
            "UniqueModernGamertag": self.gamertag,
            "AccountTier": self.account_tier,
            "TenureLevel": str(self.tenure),
            "XboxOneRep": self.rep,
            "PreferredColor": "http://dlassets.xboxlive.com/public/content/ppl/colors/00000.json",
            "Location": self.location,
            "Bio": self.bio,
            "Watermarks": "",
            "RealName": self.real_name,
            "RealNameOverride": self.real_name,
            "IsQuarantined": "0",
        }


class World:
    """Every account, profile and capture of a sandbox, generated from ``seed``.

    Args:
        seed: the seed; the same seed always gives the same world.
        users: how many generated users besides JoeAlcorn and the special accounts.
        joe_clips: how many clips JoeAlcorn has (more than one page of 100 by default).
        epoch: the world's "now" (an aware datetime): every date counts back from it by
            offsets that depend on the seed only. Default :data:`WORLD_EPOCH`.
    """

    def __init__(self, seed: int = 0, *, users: int = 60, joe_clips: int = 130,
                 joe_screenshots: int = 40, epoch: datetime | None = None) -> None:
        if epoch is not None and epoch.tzinfo is None:
            raise ValueError("epoch must be timezone-aware (UTC)")
        self.seed = seed
        self.epoch = (epoch or WORLD_EPOCH).astimezone(UTC)
        self.titles = [Title(*t) for t in _TITLES]
        self._rng = random.Random(seed)
        self.accounts: list[Account] = []
        self._build(users, joe_clips, joe_screenshots)
        self.by_xuid = {a.xuid: a for a in self.accounts}
        self.by_gamertag = {a.gamertag.lower(): a for a in self.accounts}
        self.by_email = {a.email.lower(): a for a in self.accounts if a.email}
        # Things services derive from the world once (sorted capture lists, id maps), dropped
        # by changed(); keys name their owner ("captures.", "media.").
        self.cache: dict[Hashable, Any] = {}

    def changed(self) -> None:
        """Say the world was edited (captures added, removed or changed): derived data is rebuilt.

        The world is plain data; code that edits it after construction calls this so that
        look-ups and the services' cached orderings see the edit.
        """
        self.cache.clear()
        self.__dict__.pop("captures_by_id", None)

    # -- look-ups ---------------------------------------------------------------------------
    def account_by_gamertag(self, gamertag: str) -> Account | None:
        return self.by_gamertag.get(gamertag.lower())

    @cached_property
    def captures_by_id(self) -> dict[str, Capture]:
        """Every capture by id, mediahub-only ones included."""
        return {c.id: c for a in self.accounts
                for c in (*a.clips, *a.screenshots, *a.mediahub_only_clips,
                          *a.mediahub_only_screenshots)}

    def metadata(self, account: Account, kind: str) -> list[Capture]:
        """The captures gameclipsmetadata (``kind`` "clip") or screenshotsmetadata list."""
        return account.clips if kind == "clip" else account.screenshots

    def mediahub_only(self, account: Account, kind: str) -> list[Capture]:
        """The captures of ``kind`` ("clip" | "screenshot") that only mediahub lists."""
        return account.mediahub_only_clips if kind == "clip" else account.mediahub_only_screenshots

    def mediahub(self, account: Account, kind: str) -> list[Capture]:
        """Every capture of ``kind`` mediahub lists for ``account``, newest first."""
        return sorted((*self.metadata(account, kind), *self.mediahub_only(account, kind)),
                      key=lambda c: (c.recorded, c.id), reverse=True)

    @property
    def joe(self) -> Account:
        return self.by_xuid[JOE_XUID]

    # -- generation -------------------------------------------------------------------------
    def _uuid(self) -> str:
        return _uuid(self._rng)

    def _build(self, users: int, joe_clips: int, joe_screenshots: int) -> None:
        rng = self._rng
        joe = Account(
            xuid=JOE_XUID, gamertag=JOE_GAMERTAG, gamerscore=22791, email=JOE_EMAIL,
            password=JOE_PASSWORD, gamerpic=JOE_GAMERPIC,
            display_pic="http://compass.xbox.com/assets/70/52/7052948b-c50d-4850-baff-abbcad07b631.jpg?n=004.jpg",
            rep="GoodPlayer", bio="", location="", tenure=9,
        )
        self.accounts.append(joe)
        # Special sign-in accounts: XSTS refusals and 2FA. They have no clips.
        for i, (email, (xerr, redirect)) in enumerate(sorted(XERR_ACCOUNTS.items())):
            self.accounts.append(Account(
                xuid=str(2535400000000000 + i), gamertag=f"Refused{i}", gamerscore=0,
                email=email, password=JOE_PASSWORD, xerr=xerr, xerr_redirect=redirect,
                age_group="Child" if xerr in (2148916238, 2148916229) else "Adult",
            ))
        self.accounts.append(Account(
            xuid="2535499999999999", gamertag="TwoStep", gamerscore=10,
            email="twofactor@example.org", password=JOE_PASSWORD, two_factor=True,
        ))
        seen = {joe.gamertag.lower()}
        for i in range(users):
            while True:
                gt = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
                if rng.random() < 0.5:
                    gt = gt.replace(" ", "") + str(rng.randint(1, 99))
                gt = gt[:15]
                if gt.lower() not in seen:
                    seen.add(gt.lower())
                    break
            xuid = str(2533274800000000 + rng.randint(0, 99_999_999))
            pic_token = hashlib.sha256(f"{self.seed}:{xuid}".encode()).hexdigest()
            self.accounts.append(Account(
                xuid=xuid, gamertag=gt, gamerscore=rng.randint(0, 150_000),
                email=f"user{i}@example.org", password=JOE_PASSWORD,
                gamerpic=f"http://images-eds.xboxlive.com/image?url={pic_token}",
                rep=rng.choice(["GoodPlayer", "Superstar", "NeedsWork"]),
                tenure=rng.randint(1, 20), bio=rng.choice(["", "Just here for the clips."]),
                location=rng.choice(["", "Seattle", "Leeds", "In your Xbox"]),
            ))
        for acct in self.accounts:
            acct.msa_user_id = f"{rng.getrandbits(64):016x}"
            acct.last_seen = self.epoch
            if acct.gamertag.startswith("Refused") or acct.two_factor:
                continue
            acct.titles = rng.sample(self.titles, rng.randint(2, 6))
            acct.last_seen_title = acct.titles[0]
            acct.last_seen_device = rng.choice(["XboxOne", "Scarlett", "iOS", "Android", "WindowsOneCore"])
            acct.last_seen = self.epoch - timedelta(minutes=rng.randint(1, 60 * 24 * 30))
            acct.presence_state = "Online" if rng.random() < 0.3 else "Offline"
        joe.titles = list(self.titles)
        joe.presence_state = "Online"
        generated = [a for a in self.accounts if a.email and a.email.startswith("user")]
        joe.clips = self._captures(joe, "clip", joe_clips)
        joe.screenshots = self._captures(joe, "screenshot", joe_screenshots)
        for acct in generated:
            acct.clips = self._captures(acct, "clip", rng.randint(0, 30))
            acct.screenshots = self._captures(acct, "screenshot", rng.randint(0, 12))
        # Friendships: Joe follows 25 people; others follow a few at random.
        joe.friends = [a.xuid for a in rng.sample(generated, min(25, len(generated)))]
        for acct in generated:
            acct.friends = [a.xuid for a in rng.sample(generated, min(5, len(generated)))
                            if a.xuid != acct.xuid] + [JOE_XUID]
        self._build_newer(joe, generated)

    def _build_newer(self, joe: Account, generated: list[Account]) -> None:
        """Newer titles and their mediahub-only captures, from a stream of their own.

        A separate generator keeps every earlier draw (and so every existing capture) exactly
        as it was before newer titles existed.
        """
        rng = random.Random(f"{self.seed}:mediahub-only")
        newer = [Title(*t, mediahub_only=True) for t in _NEWER_TITLES]
        self.titles += newer
        joe.mediahub_only_clips = self._among_newest(rng, joe, joe.clips, newer,
                                                      "clip", JOE_MEDIAHUB_ONLY_CLIPS)
        joe.mediahub_only_screenshots = self._among_newest(
            rng, joe, joe.screenshots, newer, "screenshot", JOE_MEDIAHUB_ONLY_SCREENSHOTS)
        for acct in generated:
            played = rng.sample(newer, rng.randint(1, 2))
            acct.mediahub_only_clips = self._captures(
                acct, "clip", rng.randint(0, 3), rng=rng, titles=played, devices=_NEWER_DEVICES)
            acct.mediahub_only_screenshots = self._captures(
                acct, "screenshot", rng.randint(0, 2), rng=rng, titles=played,
                devices=_NEWER_DEVICES, resolution=(3840, 2160))

    def _among_newest(self, rng: random.Random, acct: Account, listed: list[Capture],
                      titles: list[Title], kind: str, count: int) -> list[Capture]:
        """``count`` captures of ``titles``, the newest of all first, then one after every
        second listed capture: an archiver reading only the metadata lists visibly misses them."""
        out = self._captures(acct, kind, count, rng=rng, titles=titles, devices=_NEWER_DEVICES,
                             resolution=(3840, 2160) if kind == "screenshot" else (1920, 1080))
        anchors = [self.epoch] + [c.recorded for c in listed]
        for i, capture in enumerate(out):
            newer, older = anchors[min(2 * i, len(anchors) - 1)], \
                anchors[min(2 * i + 1, len(anchors) - 1)]
            shift = (newer - older) / 2 if newer > older else -timedelta(minutes=30)
            recorded = (older + shift).replace(microsecond=0)
            delta = recorded - capture.recorded
            capture.recorded = recorded
            capture.published += delta
            capture.last_modified += delta
        return out

    def _captures(self, acct: Account, kind: str, count: int, *, rng: random.Random | None = None,
                  titles: list[Title] | None = None, devices: list[str] = _DEVICES,
                  resolution: tuple[int, int] = (1920, 1080)) -> list[Capture]:
        rng = rng or self._rng
        out: list[Capture] = []
        when = self.epoch - timedelta(hours=rng.randint(1, 48))
        for n in range(count):
            when -= timedelta(minutes=rng.randint(30, 60 * 20))
            title = rng.choice(titles or acct.titles or self.titles)
            saved = rng.random() < 0.3
            # A few of the newest clips are still uploading.
            state = "PendingUpload" if (kind == "clip" and n % 29 == 3) else "Published"
            published = when + timedelta(minutes=rng.randint(1, 40), microseconds=rng.randint(0, 999_999))
            is_clip = kind == "clip"
            out.append(Capture(
                kind=kind, id=_uuid(rng), xuid=acct.xuid, title=title,
                recorded=when.replace(microsecond=0), published=published,
                last_modified=published, saved=saved, state=state,
                duration=rng.randint(5, 300) if is_clip else 0,
                size=rng.randint(40_000, 400_000) if is_clip else rng.randint(20_000, 120_000),
                thumb_small_size=rng.randint(2_000, 6_000),
                thumb_large_size=rng.randint(6_000, 16_000),
                views=rng.randint(0, 500), rating=0.0, rating_count=0,
                likes=rng.randint(0, 5), caption=rng.choice(["", "", "gg", "What a goal!"]),
                greatest_moment=rng.choice(_GREATEST_MOMENTS),
                device=rng.choice(devices), locale=rng.choice(["en-US", "en-GB", "de-DE"]),
                width=resolution[0], height=resolution[1],
                system_properties=_uuid(rng) + "0;",
            ))
        return out
