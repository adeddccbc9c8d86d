"""What to fetch, in what order, and where it goes: pure functions, no I/O.

Retention, the assumption the rescue order rests on: Xbox Live deletes captures 90 days
after they are recorded (the September 2023 policy, deletions since May 2024). Unsaved clips
live in per-user FIFO storage and can be pushed out earlier (spec §3: "Clips that aren't saved
eventually expire"; the real period is not published), so an unsaved capture is assumed to
expire 30 days after recording. Both numbers are module constants; the order they give --
soonest deletion first -- is what matters, not the exact dates.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

from ..download import extension_for
from ..exceptions import InvalidArgument
from ..models.captures import Capture, Clip

__all__ = [
    "DEFAULT_TEMPLATE",
    "NAME_MAX",
    "NAME_RESERVE",
    "SAVED_RETENTION",
    "THUMBNAIL_SIZES",
    "UNSAVED_RETENTION",
    "KnownCapture",
    "Plan",
    "PlannedCapture",
    "companion_paths",
    "expires_at",
    "fit_name",
    "plan_captures",
    "relative_path",
    "render_path",
    "sanitize_component",
]

#: Where each capture goes, relative to the archive folder. Fields: ``gamertag``, ``title``,
#: ``title_id``, ``date`` and ``time`` (the recording time, UTC ``datetime``), ``id``, ``ext``,
#: ``kind`` (``clip``/``screenshot``), ``xuid``, ``saved`` (``saved``/``unsaved``).
DEFAULT_TEMPLATE = "{gamertag}/{title}/{date:%Y-%m-%d}_{time:%H%M%S}_{id}.{ext}"
SAVED_RETENTION = timedelta(days=90)
UNSAVED_RETENTION = timedelta(days=30)  # an assumption: see the module docstring
THUMBNAIL_SIZES = ("Small", "Large")

#: The longest file or folder name (bytes) when the filesystem does not say: ext4, XFS,
#: Btrfs, APFS, NTFS (255 UTF-16 units, never fewer than 255 UTF-8 bytes) all allow it.
NAME_MAX = 255
#: Bytes a media file's name leaves for what is added to it: ``.large.png`` for a thumbnail
#: (instead of ``.mp4``), then ``.damaged`` (``archive verify --repair``) or ``.part``.
NAME_RESERVE = len(".large.png") + len(".damaged") - len(".mp4")

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f-\x9f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
_MAX_COMPONENT = 120  # characters: a folder named after a game stays readable
_HASH_CHARS = 8  # "~" and this many hex digits of sha256 keep a shortened name unique
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def kind_of(capture: Capture) -> str:
    """``"clip"`` or ``"screenshot"``."""
    return "clip" if isinstance(capture, Clip) else "screenshot"


def expires_at(recorded: datetime | None, saved: bool | None) -> datetime | None:
    """When Xbox Live is assumed to delete a capture (None when its date is unknown; the
    end of the calendar for one recorded in its last 90 days)."""
    if recorded is None:
        return None
    try:
        return recorded + (SAVED_RETENTION if saved else UNSAVED_RETENTION)
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC)


def _utf8_cut(text: str, size: int) -> str:
    """The longest start of ``text`` that is at most ``size`` bytes of UTF-8 (whole
    characters only: a cut never splits an emoji's bytes)."""
    return text.encode("utf-8")[:max(0, size)].decode("utf-8", "ignore")


def fit_name(name: str, max_bytes: int = NAME_MAX, *, keep_suffix: bool = True) -> str:
    """``name`` shortened to at most ``max_bytes`` bytes of UTF-8, or unchanged if it fits.

    A shortened name ends in ``~`` and 8 hex digits of the sha256 of the whole name, so
    two long names that share their start stay two names; its extension (``.mp4``) is kept
    when ``keep_suffix``. File systems count a name's length in bytes (255 on most), and
    100 emoji are 400 bytes.

    Raises:
        ValueError: ``max_bytes`` leaves no room for the extension and the hash.
    """
    if len(name.encode("utf-8")) <= max_bytes:
        return name
    stem, dot, ext = name.rpartition(".") if keep_suffix and "." in name[1:] else (name, "", "")
    suffix = dot + ext
    if len(suffix.encode("utf-8")) > 16:  # not an extension: a dot inside a long title
        stem, suffix = name, ""
    tag = "~" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:_HASH_CHARS]
    room = max_bytes - len(tag.encode()) - len(suffix.encode("utf-8"))
    if room < 1:
        raise ValueError(f"a name of at most {max_bytes} bytes cannot keep {suffix!r}")
    return _utf8_cut(stem, room).rstrip(". ") + tag + suffix


def sanitize_component(text: str, max_bytes: int = NAME_MAX) -> str:
    """One path component that is safe on Windows, macOS and Linux filesystems.

    Separators, reserved characters and control characters (C0 and C1) become ``_``;
    trailing dots and spaces (which Windows drops) go; reserved device names (``CON``,
    ``NUL``...) get a ``_`` prefix; ``.``/``..``/empty become ``_``; the result is at most
    120 characters, and at most ``max_bytes`` bytes of UTF-8 (:func:`fit_name`).
    """
    # A lone surrogate ("\ud800" in the service's JSON) has no bytes on any disk: "_".
    text = text.encode("utf-8", "replace").decode("utf-8").replace("?", "_")
    text = unicodedata.normalize("NFC", text)
    text = _UNSAFE.sub("_", text).strip().rstrip(". ")
    if text.split(".", 1)[0].upper() in _RESERVED:
        text = "_" + text
    text = text[:_MAX_COMPONENT].rstrip(". ")
    text = fit_name(text, max_bytes, keep_suffix=False)
    return text if text and text not in (".", "..") else "_"


def relative_path(text: object) -> PurePosixPath:
    """A path inside an archive folder, as the catalogue stores it (POSIX separators),
    checked: relative, every part a plain name (no ``..``, no drive, no backslash, no NUL).

    The catalogue is input too (a hand-edited or crafted file): every path read from it is
    checked here before it is joined to the folder, so that a row can never make a run
    read, write or delete outside the archive.

    Raises:
        ValueError: ``text`` is not such a path (its message says why).
    """
    if not isinstance(text, str) or not text:
        raise ValueError("not a path")
    if "\x00" in text or "\\" in text:
        raise ValueError("a path here has no NUL or backslash")
    path = PurePosixPath(text)
    if path.is_absolute() or text.startswith("/"):
        raise ValueError("the path is absolute: it must stay inside the archive folder")
    for part in text.split("/"):
        if part in ("", ".", ".."):
            raise ValueError("the path leaves the archive folder or has an empty part")
        if ":" in part:
            raise ValueError("a drive or stream name (':') is not a path inside the folder")
    return path


def render_path(template: str, capture: Capture, gamertag: str, *,
                name_max: int = NAME_MAX) -> PurePosixPath:
    """The relative path of ``capture``'s media file under ``template``.

    Args:
        template: a ``str.format`` template whose ``/`` separate folders (see ``DEFAULT_TEMPLATE``).
        capture: the clip or screenshot.
        gamertag: its owner's gamertag.
        name_max: the longest name, in bytes, the folder's filesystem allows.

    Returns:
        A relative path with every component sanitised and at most ``name_max`` bytes (the
        file's name less :data:`NAME_RESERVE`, for its companions, keeping its extension);
        the extension is appended when the template leaves it out.

    Raises:
        ValueError: the template names an unknown field or is malformed.
    """
    kind = kind_of(capture)
    when = capture.recorded or _EPOCH
    when = when.astimezone(UTC)
    ext = extension_for(kind)
    fields: dict[str, Any] = {
        "gamertag": sanitize_component(gamertag, name_max),
        "title": sanitize_component(capture.title_name or (
            f"Title {capture.title_id}" if capture.title_id else "Unknown title"), name_max),
        "title_id": capture.title_id or 0,
        "date": when,
        "time": when,
        "id": sanitize_component(capture.id, name_max),
        "ext": ext,
        "kind": kind,
        "xuid": sanitize_component(capture.xuid or "unknown", name_max),
        "saved": "saved" if capture.saved_by_user else "unsaved",
    }
    try:
        rendered = template.format_map(fields)
    except KeyError as exc:
        raise InvalidArgument(f"unknown field {exc} in the path template; known fields: "
                         f"{', '.join(sorted(fields))}") from None
    except (ValueError, IndexError) as exc:
        raise InvalidArgument(f"bad path template {template!r}: {exc}") from None
    parts = [sanitize_component(p, name_max)
             for p in rendered.replace("\\", "/").split("/") if p.strip()]
    if not parts:
        raise InvalidArgument(f"the path template {template!r} renders to an empty path")
    if not parts[-1].lower().endswith("." + ext):
        parts[-1] += "." + ext
    parts[-1] = fit_name(parts[-1], name_max - NAME_RESERVE)
    return PurePosixPath(*parts)


@dataclass(frozen=True)
class Companions:
    """The files that go with a media file: thumbnails and the JSON sidecar."""

    thumbnails: dict[str, PurePosixPath]
    sidecar: PurePosixPath

    def all(self) -> list[PurePosixPath]:
        return [*self.thumbnails.values(), self.sidecar]


def companion_paths(path: PurePosixPath) -> Companions:
    """``clip.mp4`` -> thumbnails ``clip.small.png``/``clip.large.png``, sidecar ``clip.mp4.json``."""
    stem = path.name.rsplit(".", 1)[0]
    thumbs = {size: path.with_name(f"{stem}.{size.lower()}.png") for size in THUMBNAIL_SIZES}
    return Companions(thumbnails=thumbs, sidecar=path.with_name(path.name + ".json"))


@dataclass(frozen=True)
class KnownCapture:
    """What the planner needs to know of a catalogue row."""

    id: str
    status: str
    path: str | None
    size: int | None


@dataclass(frozen=True)
class PlannedCapture:
    """One capture and everything decided about it.

    Attributes:
        capture: the clip or screenshot as listed.
        kind: ``"clip"`` or ``"screenshot"``.
        gamertag: its owner's gamertag.
        path: the media file, relative to the archive folder.
        companions: its thumbnails and sidecar, relative to the archive folder.
        expires_at: when Xbox Live is assumed to delete it (see the module docstring).
        size: the media size Xbox Live reports (None if unknown).
    """

    capture: Capture
    kind: str
    gamertag: str
    path: PurePosixPath
    companions: Companions
    expires_at: datetime | None
    size: int | None

    @property
    def id(self) -> str:
        return self.capture.id

    @property
    def recorded(self) -> datetime | None:
        return self.capture.recorded

    @property
    def title(self) -> str | None:
        return self.capture.title_name

    @property
    def saved(self) -> bool:
        return bool(self.capture.saved_by_user)


@dataclass
class Plan:
    """The outcome of planning.

    Attributes:
        fetch: to download now, soonest deletion first.
        up_to_date: already archived, verified, and present on disk with the right size.
        uploading: still ``PendingUpload`` on Xbox Live: no media yet, skipped.
        deferred: would be fetched, but ``limit`` stopped them (they come first next time).
        unplannable: ``(capture, kind, why)`` for records no path could be made for (a date
            the calendar cannot hold, say): set aside, never fetched.
    """

    fetch: list[PlannedCapture] = field(default_factory=list)
    up_to_date: list[PlannedCapture] = field(default_factory=list)
    uploading: list[PlannedCapture] = field(default_factory=list)
    deferred: list[PlannedCapture] = field(default_factory=list)
    unplannable: list[tuple[Capture, str, str]] = field(default_factory=list)

    @property
    def bytes_to_fetch(self) -> int:
        """Media bytes in ``fetch`` (thumbnails not counted)."""
        return sum(item.size or 0 for item in self.fetch)

    def all(self) -> list[PlannedCapture]:
        return [*self.fetch, *self.deferred, *self.up_to_date, *self.uploading]


def _planned(capture: Capture, gamertag: str, row: KnownCapture | None,
             taken: Mapping[PurePosixPath, str], template: str, name_max: int) -> PlannedCapture:
    """One capture planned: where it goes (where it is, if archived) and when it expires."""
    media = capture.download
    size = media.file_size if media is not None and media.file_size else None
    if row is not None and row.status == "done" and row.path:
        path = PurePosixPath(row.path)  # keep an archived file where it is
    else:
        path = render_path(template, capture, gamertag, name_max=name_max)
        owner = taken.get(path)
        if owner is not None and owner != capture.id:
            twin = f"{path.stem}_{sanitize_component(capture.id, name_max)}{path.suffix}"
            path = path.with_name(fit_name(twin, name_max - NAME_RESERVE))
    return PlannedCapture(capture=capture, kind=kind_of(capture), gamertag=gamertag, path=path,
                          companions=companion_paths(path),
                          expires_at=expires_at(capture.recorded, capture.saved_by_user),
                          size=size)


def _rescue_key(item: PlannedCapture) -> tuple[datetime, datetime, str]:
    far = datetime.max.replace(tzinfo=UTC)
    return (item.expires_at or far, item.recorded or far, item.id)


def plan_captures(
    captures: Iterable[Capture],
    *,
    gamertag: str,
    known: Mapping[str, KnownCapture],
    present: Callable[[PurePosixPath, int | None], bool],
    template: str = DEFAULT_TEMPLATE,
    since: datetime | None = None,
    limit: int | None = None,
    name_max: int = NAME_MAX,
) -> Plan:
    """Decide what to fetch, in rescue order, and where each file goes.

    Args:
        captures: the listed clips and screenshots.
        gamertag: their owner's gamertag (for the path template).
        known: catalogue rows by capture id.
        present: whether a relative path exists on disk with the given size.
        template: the path template.
        since: only captures recorded at or after this time (naive means UTC).
        limit: fetch at most this many now; the rest are ``deferred``.
        name_max: the longest name, in bytes, the archive's filesystem allows.

    Returns:
        The plan.

    Raises:
        ValueError: a bad template or a negative limit.
    """
    if limit is not None and limit < 0:
        raise InvalidArgument("limit must be zero or more")
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    # Paths already owned by other captures (a template without {id} can collide).
    taken: dict[PurePosixPath, str] = {
        PurePosixPath(row.path): row.id for row in known.values() if row.path}
    plan = Plan()
    wanted: list[PlannedCapture] = []
    seen: set[str] = set()
    for capture in captures:
        if capture.id in seen:
            continue  # a capture listed twice (paging drift) is archived once
        seen.add(capture.id)
        if since is not None and capture.recorded is not None and capture.recorded < since:
            continue
        try:
            item = _planned(capture, gamertag, known.get(capture.id), taken, template, name_max)
        except InvalidArgument:
            raise  # the template's fault, not the record's
        except (ValueError, OverflowError) as exc:  # this record's: the others go on
            plan.unplannable.append((capture, kind_of(capture), f"no path for it: {exc}"))
            continue
        taken[item.path] = capture.id
        row = known.get(capture.id)
        if capture.state == "PendingUpload":
            plan.uploading.append(item)
        elif row is not None and row.status == "done" and present(item.path, row.size):
            plan.up_to_date.append(item)
        else:
            wanted.append(item)
    wanted.sort(key=_rescue_key)
    cut = len(wanted) if limit is None else limit
    plan.fetch, plan.deferred = wanted[:cut], wanted[cut:]
    return plan
