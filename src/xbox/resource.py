"""The seed's resources: :class:`GamerProfile` and :class:`Clip`, exactly as python-xbox
documented them, as thin views over the modern client (``xbox.client``).

Values are what the wire carries, as the original library returned them: ``gamerscore`` is
the profile service's string, ``duration``/``views``/``ratings`` the JSON numbers,
``rating`` a float, ``recorded`` a timezone-aware UTC datetime, ``saved`` a bool.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .exceptions import ClipNotFound, GamertagNotFound, InvalidArgument

if TYPE_CHECKING:
    from ._sync.client import Client
    from .models.captures import Clip as ModernClip

__all__ = ["Clip", "GamerProfile"]

# The settings the 2014 library asked for, in its order, with contract version 2.
SEED_SETTINGS = ("AppDisplayName", "DisplayPic", "Gamerscore", "Gamertag", "PublicGamerpic",
                 "XboxOneRep")
_NAME_MAP = {"Gamertag": "gamertag", "Gamerscore": "gamerscore", "PublicGamerpic": "gamerpic"}


def _unset() -> Client:
    raise AssertionError("xbox/__init__.py sets xbox.resource.seed_client when it runs")


#: How :class:`GamerProfile` and :class:`Clip` reach the seed's global client,
#: ``xbox.client``: ``xbox/__init__.py``, which makes that client (and always runs before
#: this module can be used), sets this to a function that reads it on every call, so that
#: ``xbox.client = xbox.Client(...)`` takes effect.
seed_client: Callable[[], Client] = _unset


def _client() -> Client:
    return seed_client()


class GamerProfile:
    """Represents an xbox live user.

    :var string xuid: xuid of user
    :var string gamertag: gamertag of user
    :var string gamerscore: gamerscore of user
    :var string gamerpic: url for gamerpic of user
    """

    def __init__(self, xuid: str, settings: list[dict[str, Any]], user_data: dict[str, Any]) -> None:
        self.xuid = xuid
        self.raw_json = user_data
        self.gamertag: str | None = None
        self.gamerscore: str | None = None
        self.gamerpic: str | None = None
        for setting in settings:
            name = _NAME_MAP.get(setting.get("id", ""))
            if name is not None:
                setattr(self, name, setting.get("value"))

    @classmethod
    def _from_user(cls, user: dict[str, Any]) -> GamerProfile:
        return cls(str(user["id"]), user.get("settings", []), user)

    @classmethod
    def _fetch(cls, gamertag: str | None = None, xuid: str | None = None) -> GamerProfile:
        profile = _client().profiles.get(gamertag, xuid=xuid, settings=SEED_SETTINGS,
                                         contract_version=2)
        return cls._from_user(profile.raw)

    @classmethod
    def from_gamertag(cls, gamertag: str) -> GamerProfile:
        """Instantiates an instance of ``GamerProfile`` from a gamertag.

        :param gamertag: Gamertag to look up
        :raises: :class:`~xbox.exceptions.GamertagNotFound`
        :returns: :class:`~xbox.GamerProfile` instance
        """
        try:
            return cls._fetch(gamertag=gamertag)
        except InvalidArgument:
            raise GamertagNotFound(f"No such user: {gamertag}") from None

    @classmethod
    def from_xuid(cls, xuid: str) -> GamerProfile:
        """Instantiates an instance of ``GamerProfile`` from an xuid.

        :param xuid: Xuid to look up
        :raises: :class:`~xbox.exceptions.GamertagNotFound`
        :returns: :class:`~xbox.GamerProfile` instance
        """
        try:
            return cls._fetch(xuid=str(xuid))
        except InvalidArgument:
            raise GamertagNotFound(f"No such user: {xuid}") from None

    def clips(self) -> Iterator[Clip]:
        """Gets the latest clips made by this user.

        :returns: Iterator of :class:`~xbox.Clip` instances
        """
        return Clip.latest_from_user(self)

    def __repr__(self) -> str:
        return f"<xbox.resource.GamerProfile: {self.gamertag} ({self.xuid})>"


class _LazyGamerProfile(GamerProfile):
    """The ``user`` of a clip fetched by id: knows its xuid, fetches the rest on first use."""

    def __init__(self, xuid: str) -> None:
        self.xuid = xuid
        self._loaded: GamerProfile | None = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._loaded is None:
            self._loaded = GamerProfile.from_xuid(self.xuid)
        return getattr(self._loaded, name)

    def __repr__(self) -> str:
        return f"<xbox.resource.GamerProfile: ({self.xuid})>"


class _Thumbnails(dict[str, str | None]):
    """The seed's ``thumbnails`` dict, ``{'small': url, 'large': url}``, whose keys also read
    as attributes (``clip.thumbnails.small``)."""

    def __init__(self, small: str | None = None, large: str | None = None) -> None:
        super().__init__(small=small, large=large)

    def __getattr__(self, name: str) -> str | None:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: str | None) -> None:
        self[name] = value


class Clip:
    """Represents a single game clip.

    :var user: User that made the clip
    :var string clip_id: Unique id of the clip
    :var string scid: Unique SCID of the clip
    :var string duration: Duration, in seconds, of the clip
    :var string name: Name of the clip. Can be ``''``
    :var bool saved: Whether the user has saved the clip. Clips that aren't saved eventually expire
    :var string state:
    :var string views: Number of views the clip has had
    :var string rating: Clip rating
    :var string ratings: Number of ratings the clip has received
    :var string caption: User-defined clip caption
    :var dict thumbnails: Thumbnail URLs for the clip
    :var datetime recorded: Date and time clip was made
    :var string media_url: Video clip URL
    """

    def __init__(self, user: GamerProfile, clip_data: dict[str, Any]) -> None:
        # The modern model reads both eras of the wire (names until 2024, numbers since);
        # the seed's attributes keep their documented strings ('Published', 'Small'...).
        # The models (pydantic) load with the first clip, not with `import xbox`.
        from .models.captures import Clip as ModernClip

        self._init(user, ModernClip.from_wire(clip_data))

    @classmethod
    def _from_model(cls, user: GamerProfile, model: ModernClip) -> Clip:
        clip = cls.__new__(cls)
        clip._init(user, model)
        return clip

    def _init(self, user: GamerProfile, model: ModernClip) -> None:
        from .models.enums import ThumbnailType, wire_name  # (as in __init__)

        self.raw_json: dict[str, Any] = model.raw
        self.user = user
        self.clip_id: str = model.game_clip_id
        self.scid: str | None = model.scid
        self.duration: int | None = model.duration_in_seconds
        self.name: str | None = model.clip_name
        self.saved: bool = bool(model.saved_by_user)
        self.state: str | None = wire_name(model.state)
        self.views: int | None = model.views
        self.rating: float | None = model.rating
        self.ratings: int | None = model.rating_count
        self.caption: str | None = model.user_caption
        small, large = model.thumbnail(ThumbnailType.SMALL), model.thumbnail(ThumbnailType.LARGE)
        self.thumbnails = _Thumbnails(small.uri if small else None, large.uri if large else None)
        recorded = model.date_recorded
        self.recorded: datetime | None = recorded.astimezone(UTC) if recorded else None
        download = model.download
        self.media_url: str | None = download.uri if download else None

    @classmethod
    def get(cls, xuid: str, scid: str, clip_id: str) -> Clip:
        """Retrieves a specific game clip.

        :param xuid: xuid of an xbox live user
        :param scid: scid of a clip
        :param clip_id: id of a clip
        :raises: :class:`~xbox.exceptions.ClipNotFound`
        :returns: :class:`~xbox.Clip` instance
        """
        try:
            clip = _client().clips.get(xuid, scid, clip_id)
        except InvalidArgument:
            raise ClipNotFound(
                f"Could not find clip: xuid={xuid}, scid={scid}, clip_id={clip_id}") from None
        return cls._from_model(_LazyGamerProfile(str(xuid)), clip)

    @classmethod
    def _iterate(cls, user: GamerProfile, saved: bool, include_pending: bool) -> Iterator[Clip]:
        clips = _client().clips
        listing = clips.saved(user.xuid) if saved else clips.recent(user.xuid)
        for clip in listing:
            if clip.state == "PendingUpload" and not include_pending:
                continue
            yield cls._from_model(user, clip)

    @classmethod
    def saved_from_user(cls, user: GamerProfile, include_pending: bool = False) -> Iterator[Clip]:
        """Retrieves all 'saved' clips for a specific user, returning an iterator.

        :param user: :class:`~xbox.GamerProfile` instance
        :param bool include_pending: whether to include clips that are not yet uploaded.
            These clips will have thumbnails and media_url set to ``None``
        :returns: Iterator of :class:`~xbox.Clip` instances
        """
        return cls._iterate(user, True, include_pending)

    @classmethod
    def latest_from_user(cls, user: GamerProfile, include_pending: bool = False) -> Iterator[Clip]:
        """Retrieves a user's gameclips, excluding any that are pending upload.

        :param user: :class:`~xbox.GamerProfile` instance
        :param bool include_pending: whether to include clips that are not yet uploaded.
            These clips will have thumbnails and media_url set to ``None``
        :returns: Iterator of :class:`~xbox.Clip` instances
        """
        return cls._iterate(user, False, include_pending)

    def __repr__(self) -> str:
        return f"<xbox.resource.Clip: {self.clip_id}>"
