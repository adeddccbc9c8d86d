"""Xbox Live's enumerations, readable in both eras of the wire.

Until 2024 the capture services sent enum fields as their names (``"state": "Published"``);
since 2025 they send the numbers, which are the declaration order of the enumerations in
Microsoft's Xbox Live REST reference (``"state": 6``). A field typed with :func:`wire_enum`
accepts both and gives one typed member, so ``clip.state == "Published"`` holds in either
era. A value this library does not know (a new state, a bit not yet named) is kept exactly as
it came, never rejected: the record survives and ``.raw`` still has the original.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum, Flag, StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import PlainSerializer, PlainValidator

__all__ = [
    "CaptureState",
    "CaptureType",
    "LocatorType",
    "ThumbnailType",
    "UriType",
    "WireCaptureState",
    "WireCaptureType",
    "WireLocatorType",
    "WireThumbnailType",
    "WireUriType",
    "parse_wire_enum",
    "wire_name",
    "wire_parser",
]

E = TypeVar("E", bound=Enum)


class CaptureState(StrEnum):
    """GameClipState: where a capture is in its life on Xbox Live (numbers in order)."""

    NONE = "None"
    PENDING_UPLOAD = "PendingUpload"
    PENDING_DELETE = "PendingDelete"
    PROCESSED = "Processed"
    PROCESSING = "Processing"
    PUBLISHING = "Publishing"
    PUBLISHED = "Published"
    FLAGGED = "Flagged"
    BANNED = "Banned"
    UPLOADED = "Uploaded"
    DELETED = "Deleted"
    ERROR = "Error"


class ThumbnailType(StrEnum):
    """ThumbnailType: None 0, Small 1, Large 2."""

    NONE = "None"
    SMALL = "Small"
    LARGE = "Large"


class UriType(StrEnum):
    """GameClipUriType: how a media locator serves the file (only ``Download`` is a file)."""

    NONE = "None"
    ORIGINAL = "Original"
    DOWNLOAD = "Download"
    SMOOTH_STREAMING = "SmoothStreaming"
    AHLS = "Ahls"


class LocatorType(StrEnum):
    """Mediahub's ``contentLocators[].locatorType`` (always a name on the wire)."""

    DOWNLOAD = "Download"
    DOWNLOAD_HDR = "Download_HDR"
    THUMBNAIL_SMALL = "Thumbnail_Small"
    THUMBNAIL_LARGE = "Thumbnail_Large"


class CaptureType(Flag):
    """GameClipTypes, a flags enumeration: ``"DeveloperInitiated, Achievement"`` or ``6``.

    Microsoft documents None, MetadataOnly and DeveloperInitiated in that order and shows
    Achievement and UserGenerated in samples; as flags that makes 1, 2, 4 and 8 (and 2025's
    recordings carry ``8`` on player-made captures).
    """

    NONE = 0
    METADATA_ONLY = 1
    DEVELOPER_INITIATED = 2
    ACHIEVEMENT = 4
    USER_GENERATED = 8

    @property
    def wire_name(self) -> str:
        """The comma-joined names the older wire used (``"DeveloperInitiated, Achievement"``)."""
        if self.value == 0:
            return "None"
        return ", ".join(_FLAG_NAMES[m] for m in CaptureType if m.value and m in self)

    def __str__(self) -> str:
        return self.wire_name


_FLAG_NAMES = {CaptureType.NONE: "None", CaptureType.METADATA_ONLY: "MetadataOnly",
               CaptureType.DEVELOPER_INITIATED: "DeveloperInitiated",
               CaptureType.ACHIEVEMENT: "Achievement", CaptureType.USER_GENERATED: "UserGenerated"}
_FLAG_BY_NAME = {name.lower(): flag for flag, name in _FLAG_NAMES.items()}
_ALL_BITS = sum(m.value for m in CaptureType)


def _parse_flags(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return CaptureType(value) if value >= 0 and not value & ~_ALL_BITS else value
    if isinstance(value, str):
        flags = CaptureType.NONE
        for part in value.split(","):
            flag = _FLAG_BY_NAME.get(part.strip().lower())
            if flag is None:
                return value
            flags |= flag
        return flags
    return value


def parse_wire_enum(enum: type[E], value: Any) -> E | Any:
    """``value`` as a member of ``enum`` when it names or numbers one, else ``value`` itself.

    Names match case-insensitively; numbers are the declaration order (Microsoft's numbering).
    """
    if value is None or isinstance(value, enum):
        return value
    if issubclass(enum, Flag):
        return _parse_flags(value)
    members = _members(enum)
    if isinstance(value, int) and not isinstance(value, bool):
        return members[value] if 0 <= value < len(members) else value
    if isinstance(value, str):
        return _names(enum).get(value.lower(), value)
    return value


_MEMBERS: dict[type[Enum], list[Any]] = {}
_NAMES: dict[type[Enum], dict[str, Any]] = {}


def _members(enum: type[E]) -> list[E]:
    found = _MEMBERS.get(enum)
    if found is None:
        found = _MEMBERS[enum] = list(enum)
    return found


def _names(enum: type[E]) -> dict[str, E]:
    found = _NAMES.get(enum)
    if found is None:
        found = _NAMES[enum] = {str(m.value).lower(): m for m in enum}
    return found


def wire_name(value: Any) -> Any:
    """The name the older wire used for a parsed enum value (``"Published"``); anything
    else (None, an unknown raw value) as it is. The seed API's string attributes use this."""
    if isinstance(value, CaptureType):
        return value.wire_name
    if isinstance(value, StrEnum):
        return str(value)
    return value


def _validator(enum: type[Enum]) -> PlainValidator:
    return PlainValidator(wire_parser(enum))


_PARSERS: dict[type[Enum], Callable[[Any], Any]] = {}


def wire_parser(enum: type[Enum]) -> Callable[[Any], Any]:
    """``parse_wire_enum`` for one enumeration, as one function (what its fields run)."""
    found = _PARSERS.get(enum)
    if found is None:
        found = _PARSERS[enum] = _make_parser(enum)
    return found


def _make_parser(enum: type[Enum]) -> Callable[[Any], Any]:
    if issubclass(enum, Flag):
        return lambda value: parse_wire_enum(enum, value)
    members = _members(enum)
    count = len(members)
    exact = {str(m.value): m for m in enum}

    def parse(value: Any) -> Any:
        # parse_wire_enum(enum, value), its common cases first (a record has several enums)
        kind = type(value)
        if kind is int:
            return members[value] if 0 <= value < count else value
        if kind is str:
            found = exact.get(value)
            if found is not None:
                return found
        return parse_wire_enum(enum, value)

    return parse


_AS_NAME = PlainSerializer(wire_name)

# Field types that accept an enum's names and numbers; unknown values stay as they were sent.
# Dumps give back the name (``"Published"``), so sidecars read the same in every era.
WireCaptureState = Annotated[CaptureState | int | str | None, _validator(CaptureState), _AS_NAME]
WireCaptureType = Annotated[CaptureType | int | str | None, _validator(CaptureType), _AS_NAME]
WireThumbnailType = Annotated[ThumbnailType | int | str | None, _validator(ThumbnailType),
                              _AS_NAME]
WireUriType = Annotated[UriType | int | str | None, _validator(UriType), _AS_NAME]
WireLocatorType = Annotated[LocatorType | int | str | None, _validator(LocatorType), _AS_NAME]
