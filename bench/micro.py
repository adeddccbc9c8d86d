"""Row 3: one clip record through the model, in µs of CPU per record (a micro-bench).

The records are the 5,000 today-shaped records the sandbox lists (era 2025: integer enums),
as ``json.loads`` gives them. A block passes every record once through:

* ``Clip.from_wire(record)``, and the same followed by the four reads a caller makes
  (``id``, ``state``, ``date_recorded``, ``download.uri``), so that work moved from building
  to reading (lazy fields) is still counted;
* the same ``Clip`` validated eagerly (``model_validate`` of the whole record, refused fields
  salvaged, ``.raw`` set, the identity checked: ``from_wire`` without the lazy engine of
  ``xbox/models/_lazy.py``), alone and with the four reads: what the engine saves;
* a ``TypedDict`` with the same fields and the same field types (the wire enums, aware
  datetimes, nested locators) validated by a pydantic ``TypeAdapter``; and the same with the
  enum fields typed ``int | str | None`` (what a TypedDict costs without the enums' Python
  validators);
* plain ``dict`` access: the same four reads on the record itself.

Before timing, the bench checks that the TypedDict's keys are still ``Clip``'s wire fields,
and that the model still tolerates drift (a record whose ``views`` is a string still loads)
and, since ``from_wire`` validates lazily (the identity at once, each other field on first
access), that every 100th record dumps exactly as pydantic's eager validation of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Required, get_origin, get_type_hints

import harness
import httpx
from context import Context
from harness import Row, Sample, Spread, Variant
from paging import clips_url, eager_from_wire, raw_listing
from pydantic import AwareDatetime, TypeAdapter
from pydantic.alias_generators import to_camel
from typing_extensions import TypedDict

from xbox.models import Clip
from xbox.models.enums import (
    WireCaptureState,
    WireCaptureType,
    WireThumbnailType,
    WireUriType,
)

GOAL_US = 5.0


class LocatorTD(TypedDict, total=False):
    uri: str | None
    fileSize: int | None
    expiration: AwareDatetime | None


class ThumbnailTD(LocatorTD, total=False):
    thumbnailType: WireThumbnailType


class MediaUriTD(LocatorTD, total=False):
    uriType: WireUriType


class ClipTD(TypedDict, total=False):
    """``xbox.models.Clip``'s fields, by wire name, with its field types."""

    gameClipId: Required[str]
    state: WireCaptureState
    datePublished: AwareDatetime | None
    lastModified: AwareDatetime | None
    userCaption: str | None
    type: WireCaptureType
    scid: str | None
    titleId: int | None
    rating: float | None
    ratingCount: int | None
    views: int | None
    titleData: str | None
    systemProperties: str | None
    savedByUser: bool | None
    achievementId: str | None
    greatestMomentId: str | None
    thumbnails: list[ThumbnailTD]
    xuid: str | None
    titleName: str | None
    deviceType: str | None
    dateRecorded: AwareDatetime | None
    durationInSeconds: int | None
    gameClipUris: list[MediaUriTD]
    clipName: str | None
    gameClipLocale: str | None
    clipContentAttributes: int | str | None
    commentCount: int | None
    likeCount: int | None
    shareCount: int | None
    partialViews: int | None


class PlainThumbnailTD(LocatorTD, total=False):
    thumbnailType: int | str | None


class PlainMediaUriTD(LocatorTD, total=False):
    uriType: int | str | None


#: The same fields with the enums left as the wire sent them (no Python validator per enum).
PlainClipTD = TypedDict("PlainClipTD", {
    **ClipTD.__annotations__, "state": int | str | None, "type": int | str | None,
    "thumbnails": list[PlainThumbnailTD], "gameClipUris": list[PlainMediaUriTD]}, total=False)


def field_drift() -> str:
    """How ClipTD differs from Clip's wire fields ("" when they agree): its keys, and the
    types of the plain fields (those without constraints, nested models or lists)."""
    fields = getattr(Clip, "model_fields", None)
    if not isinstance(fields, dict):
        return "Clip has no model_fields to compare with"
    clip = {f.alias or to_camel(name): f for name, f in fields.items() if name != "raw"}
    typed = set(ClipTD.__required_keys__ | ClipTD.__optional_keys__)
    if set(clip) != typed:
        return (f"TypedDict fields differ from Clip's: Clip has {sorted(set(clip) - typed)}, "
                f"TypedDict has {sorted(typed - set(clip))}")
    hints = get_type_hints(ClipTD, include_extras=True)
    differ = [key for key, info in clip.items()
              if not info.metadata and get_origin(info.annotation) is not list
              and hints[key] != info.annotation]
    return f"TypedDict field types differ from Clip's: {differ}" if differ else ""


def tolerance_kept(record: dict[str, Any]) -> bool:
    try:
        clip = Clip.from_wire({**record, "views": "lots"})
    except Exception:
        return False
    return clip.views is None and clip.id == record["gameClipId"]


def reads_as_eager(records: list[Any]) -> bool:
    """``from_wire`` builds lazy models: a sample of records must still dump exactly as
    pydantic's eager validation of the same record does."""
    for rec in records[::100]:
        eager = Clip.model_validate(rec)
        if Clip.from_wire(rec).model_dump_json() != eager.model_dump_json():
            return False
    return True


def run(ctx: Context) -> list[Row]:
    with httpx.Client() as raw:
        records: list[Any] = []
        raw_listing(raw, clips_url(ctx), ctx.headers(1), records)
    assert isinstance(records[0]["state"], int), "expected today's records (integer enums)"
    adapter: TypeAdapter[ClipTD] = TypeAdapter(ClipTD)
    validate = adapter.validate_python
    validate_plain = TypeAdapter(PlainClipTD).validate_python
    from_wire = Clip.from_wire

    def model(rec: Any) -> Any:
        return from_wire(rec)

    def eager(rec: Any) -> Any:
        return eager_from_wire(rec)

    def with_reads(build: Callable[[Any], Clip]) -> Callable[[Any], Any]:
        """``build`` and the four reads a caller makes."""
        def reads(rec: Any) -> Any:
            clip = build(rec)
            d = clip.download
            return clip.id, clip.state, clip.date_recorded, d.uri if d is not None else None
        return reads

    model_reads, eager_reads = with_reads(from_wire), with_reads(eager_from_wire)

    def typed(rec: Any) -> Any:
        return validate(rec)

    def typed_plain(rec: Any) -> Any:
        return validate_plain(rec)

    def plain_reads(rec: Any) -> Any:
        uri = next((u.get("uri") for u in rec.get("gameClipUris", ()) if u.get("uriType") == 2), None)
        return rec["gameClipId"], rec.get("state"), rec.get("dateRecorded"), uri

    # (build the validators now)
    for fn in (model, model_reads, eager, eager_reads, typed, typed_plain, plain_reads):
        fn(records[0])

    def block(fn: Any) -> Any:
        def run_block() -> Sample:
            clock = harness.Clock()
            for rec in records:
                fn(rec)
            return clock.stop()
        return run_block

    names = {"model": model, "model+reads": model_reads, "eager": eager,
             "eager+reads": eager_reads, "typed": typed,
             "typed-plain": typed_plain, "dict": plain_reads}
    outcomes = harness.alternate([Variant(n, block(f)) for n, f in names.items()],
                                 ctx.args.micro_rounds)
    per = len(records)

    def us(name: str) -> Spread:
        return Spread.of([s.cpu / per * 1e6 for s in outcomes[name].samples])

    drift = field_drift()
    kept = tolerance_kept(records[0]) and reads_as_eager(records)
    typed_mid = us("typed").mid
    fmt = "{:.1f}"
    note = (f"{us('model').mid / typed_mid:.1f}x the TypedDict; drift tolerance "
            + ("kept" if kept else "LOST"))
    if drift:
        note += "; " + drift
    return [
        Row("3", "one clip record: `Clip.from_wire(record)`", "CPU µs/record", us("model"),
            GOAL_US, note, fmt=fmt, extra_ok=kept, extra_why="drift tolerance lost"),
        Row("3", "one clip record: `Clip.from_wire` + reads of id, state, date_recorded, "
            "download.uri", "CPU µs/record", us("model+reads"), GOAL_US,
            fmt=fmt),
        Row("3", "one clip record: eager `Clip` (`model_validate`, salvage on error), the "
            "design without the lazy engine", "CPU µs/record", us("eager"), fmt=fmt,
            note=f"{us('eager').mid / us('model').mid:.1f}x `from_wire`"),
        Row("3", "one clip record: eager `Clip` + the same four reads", "CPU µs/record",
            us("eager+reads"), fmt=fmt,
            note=f"{us('eager+reads').mid / us('model+reads').mid:.1f}x `from_wire` + reads"),
        Row("3", "one clip record: TypedDict, same fields and types (wire enums), pydantic "
            "`TypeAdapter`", "CPU µs/record", us("typed"), fmt=fmt),
        Row("3", "one clip record: TypedDict, same fields, enums as plain `int | str`",
            "CPU µs/record", us("typed-plain"), fmt=fmt),
        Row("3", "one clip record: plain `dict`, the four reads only", "CPU µs/record", us("dict"),
            fmt=fmt),
    ]
