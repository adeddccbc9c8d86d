"""Lazy models: a record read from the wire validates its identity at once and every other
field on first access, and still reads, dumps, compares, copies and pickles exactly as an
eagerly validated model (issue 13: one clip through the model at a TypedDict's cost).

The reference is eager validation as ``from_wire`` did it before laziness: pydantic's
``model_validate`` of the prepared wire object, the same salvage of refused fields, ``.raw``
set to the object as sent.
"""

from __future__ import annotations

import copy
import pickle
import warnings
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xbox.exceptions import MalformedResponse
from xbox.models import (
    CaptureState,
    Clip,
    MalformedRecord,
    MediahubClip,
    MediahubScreenshot,
    Screenshot,
    UriType,
    XboxModel,
)
from xbox.models.base import WireModel, parse_records
from xbox.models.captures import MediaUri, Thumbnail
from xbox.models.consoles import CommandDestination

from .test_fuzz import READERS, RECORDED, _body, damaged


def eager(cls: type[XboxModel], data: Any) -> XboxModel:
    """``cls.from_wire(data)`` validated the eager way (the reference)."""
    prepared = cls.prepare_wire(data)
    try:
        model = cls.model_validate(prepared)
    except pydantic.ValidationError as exc:
        model = cls._salvage(prepared, exc, data)
    problem = model.identity_problem()
    if problem is not None:
        raise MalformedResponse(f"{cls.__name__} record could not be read: {problem}", body=data)
    model.__dict__["raw"] = data
    return model


def records_in(result: Any) -> list[XboxModel]:
    """Every record a reader returned (its lists, pages, tuples, dicts...)."""
    found: list[XboxModel] = []
    if isinstance(result, XboxModel):
        found.append(result)
    elif isinstance(result, list | tuple):
        for item in result:
            found += records_in(item)
    elif isinstance(result, dict):
        for item in result.values():
            found += records_in(item)
    return found


def is_lazy(model: WireModel) -> bool:
    return model.wire_object() is not None


def assert_same(lazy: XboxModel, reference: XboxModel) -> None:
    """Everything a caller can observe reads the same."""
    assert type(lazy) is type(reference)
    assert lazy.model_dump() == reference.model_dump()
    assert lazy.model_dump(by_alias=True) == reference.model_dump(by_alias=True)
    assert lazy.model_dump_json() == reference.model_dump_json()  # (key order too)
    assert lazy.model_dump(mode="json", exclude_unset=True) == \
        reference.model_dump(mode="json", exclude_unset=True)
    assert lazy.model_fields_set == reference.model_fields_set
    assert lazy.model_extra == reference.model_extra
    assert lazy == reference
    assert repr(lazy) == repr(reference)
    assert lazy.raw is reference.raw
    for name in type(lazy).model_fields:
        assert getattr(lazy, name) == getattr(reference, name), name


CAPTURE_BODIES = ["gameclips_recent_own.json", "gameclips_recent_community.json",
                  "screenshots_recent_own.json", "mediahub_gameclips_own.json",
                  "mediahub_screenshots_own.json"]


@pytest.mark.parametrize("name", sorted(READERS))
def test_every_recorded_record_reads_as_eager_validation_reads_it(name: str) -> None:
    records = records_in(READERS[name](_body(name)))
    for record in records:  # (read again: a reader may add what it knows, as a copy)
        assert_same(type(record).from_wire(record.raw), eager(type(record), record.raw))


@pytest.mark.parametrize("name", CAPTURE_BODIES)
def test_captures_are_lazy_and_each_field_reads_as_eager_validation(name: str) -> None:
    records = records_in(READERS[name](_body(name)))
    assert records
    for record in records:
        assert is_lazy(record), "a capture read from the wire is built lazily"
        reference = eager(type(record), record.raw)
        fresh = type(record).from_wire(record.raw)
        for field in type(record).model_fields:  # one field at a time, nothing else read
            again = type(record).from_wire(record.raw)
            assert getattr(again, field) == getattr(reference, field), field
        assert_same(fresh, reference)  # dumps and == validate what was not read yet
        assert not is_lazy(fresh)


def clip_record() -> dict[str, Any]:
    record = _body("gameclips_recent_own.json")["gameClips"][0]
    assert isinstance(record, dict)
    return record


def test_only_the_identity_is_validated_at_from_wire() -> None:
    clip = Clip.from_wire(clip_record())
    assert "game_clip_id" in clip.__dict__
    assert "views" not in clip.__dict__ and "date_recorded" not in clip.__dict__
    assert clip.views == clip_record()["views"]
    assert "views" in clip.__dict__  # stored: validated once


def test_a_bad_field_found_on_access_gives_its_default_and_keeps_raw() -> None:
    record = {**clip_record(), "views": "lots", "dateRecorded": "soon",
              "thumbnails": "none", "titleId": {"no": 1}}
    clip = Clip.from_wire(record)  # never raises: the identity is fine
    assert clip.views is None and clip.raw["views"] == "lots"
    assert clip.date_recorded is None and clip.raw["dateRecorded"] == "soon"
    assert clip.thumbnails == [] and clip.title_id is None
    assert clip.thumbnail("Small") is None
    assert clip.id == record["gameClipId"]
    assert "views" not in clip.model_fields_set and "thumbnails" not in clip.model_fields_set
    assert_same(clip, eager(Clip, record))


def test_a_bad_nested_field_drops_only_that_value() -> None:
    record = copy.deepcopy(clip_record())
    record["thumbnails"][0]["fileSize"] = "big"
    record["thumbnails"].insert(1, 7)  # not an object: left out of the list
    record["gameClipUris"][0]["expiration"] = "later"
    clip = Clip.from_wire(record)
    small = clip.thumbnail("Small")
    assert small is not None and small.file_size is None and small.uri
    assert len(clip.thumbnails) == 2
    download = clip.download
    assert download is not None and download.expiration is None and download.uri
    assert_same(clip, eager(Clip, record))


def test_an_unknown_enum_value_is_kept_lazily_as_eagerly() -> None:
    record = {**clip_record(), "state": 99, "type": "Brand, New"}
    clip = Clip.from_wire(record)
    assert clip.state == 99 and clip.type == "Brand, New"
    assert_same(clip, eager(Clip, record))
    for era_state in (6, "Published", "published"):
        assert Clip.from_wire({**clip_record(), "state": era_state}).state == \
            CaptureState.PUBLISHED


def test_identity_is_still_checked_at_from_wire() -> None:
    record = clip_record()
    for bad in ({**record, "gameClipId": ""}, {k: v for k, v in record.items()
                                               if k != "gameClipId"},
                {**record, "gameClipId": 5},
                {**record, "gameClipUris": [{**record["gameClipUris"][0], "uri": "ftp://x"}]},
                {**record, "gameClipUris": [{**record["gameClipUris"][0], "uri": None}]},
                {**record, "gameClipUris": [], "state": 6}):
        with pytest.raises(MalformedResponse):
            Clip.from_wire(bad)
        with pytest.raises(MalformedResponse):
            eager(Clip, bad)
    pending = {**record, "gameClipUris": [], "state": "PendingUpload"}
    assert Clip.from_wire(pending).download is None


def test_a_list_sets_aside_bad_identities_eagerly_and_warns_once() -> None:
    good = clip_record()
    items = [good, {**good, "gameClipId": ""}, "junk", {**good, "views": "many"}]
    errors: list[MalformedResponse] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clips = parse_records(Clip, items, errors)
    assert [c.id for c in clips] == [good["gameClipId"]] * 2
    assert len(errors) == 2
    assert [str(w.message).split(" ")[0] for w in caught if w.category is MalformedRecord] == ["2"]


def test_copies_pickles_and_dumps_of_an_unread_model_are_complete() -> None:
    record = {**clip_record(), "brandNewField": {"x": 1}}
    reference = eager(Clip, record)
    for make in (copy.copy, copy.deepcopy, lambda c: pickle.loads(pickle.dumps(c)),
                 lambda c: c.model_copy(), lambda c: c.model_copy(deep=True)):
        made = make(Clip.from_wire(record))
        assert made == reference
        assert made.model_dump_json() == reference.model_dump_json()
        assert made.model_extra == {"brandNewField": {"x": 1}}
    assert Clip.from_wire(record).model_copy(update={"views": 1}).views == 1
    assert dict(Clip.from_wire(record)) == dict(reference)
    assert str(Clip.from_wire(record).download) == str(reference.download)  # type: ignore[union-attr]
    assert isinstance(Clip.from_wire(record), pydantic.BaseModel)


def test_extra_fields_read_as_attributes_before_anything_else() -> None:
    clip = Clip.from_wire({**clip_record(), "brandNewField": 3})
    assert clip.brandNewField == 3  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        _ = clip.no_such_field  # type: ignore[attr-defined]


def test_assigning_a_field_before_reading_it_wins() -> None:
    clip = Clip.from_wire(clip_record())
    clip.views = 5
    assert clip.views == 5 and "views" in clip.model_fields_set
    assert clip.model_dump()["views"] == 5
    assert clip.model_dump()["title_name"] == clip_record()["titleName"]


def test_a_lazy_model_inside_another_model_dumps_complete() -> None:
    class Holder(pydantic.BaseModel):
        clip: Clip
        uris: list[MediaUri]

    clip = Clip.from_wire(clip_record())
    holder = Holder(clip=clip, uris=clip.game_clip_uris)
    reference = eager(Clip, clip_record())
    assert holder.model_dump()["clip"] == reference.model_dump()
    assert holder.model_dump()["uris"] == [u.model_dump() for u in reference.game_clip_uris]


def test_class_attributes_and_subclasses_behave_as_pydantic_models() -> None:
    Clip.from_wire(clip_record())  # the lazy fields exist by now
    with pytest.raises(AttributeError):
        _ = Clip.views  # type: ignore[attr-defined]
    with warnings.catch_warnings():
        warnings.simplefilter("error")

        class TaggedClip(Clip):
            tag: str | None = None

    record = {**clip_record(), "tag": "mine"}
    clip = TaggedClip.from_wire(record)
    assert clip.tag == "mine" and clip.views == clip_record()["views"]
    assert_same(clip, eager(TaggedClip, record))
    built = Clip(game_clip_id="x")  # by hand: eager, as always
    assert built.views is None and built.raw is None and not is_lazy(built)


def test_screenshots_and_mediahub_captures_are_lazy_too() -> None:
    for cls, name, key in ((Screenshot, "screenshots_recent_own.json", "screenshots"),
                           (MediahubClip, "mediahub_gameclips_own.json", "values"),
                           (MediahubScreenshot, "mediahub_screenshots_own.json", "values")):
        body = _body(name)
        items = body[key] if key in body else next(v for v in body.values() if isinstance(v, list))
        model = cls.from_wire(items[0])
        assert is_lazy(model)
        download = model.download
        assert download is not None and download.uri_type == UriType.DOWNLOAD
        assert_same(model, eager(cls, items[0]))


def pydantic_at_least(*wanted: int) -> bool:
    return tuple(int(p) for p in pydantic.VERSION.split(".")[:2]) >= wanted


def test_classes_whose_fields_are_not_independent_are_validated_eagerly() -> None:
    class Stripped(Clip):  # configuration a field's own TypeAdapter would not apply
        model_config = pydantic.ConfigDict(str_strip_whitespace=True)

    class Doubled(Clip):
        @pydantic.field_validator("views", mode="before")
        @classmethod
        def _double(cls, value: Any) -> Any:
            return value * 2 if isinstance(value, int) else value

    class Captioned(Clip):
        @pydantic.model_validator(mode="before")
        @classmethod
        def _caption(cls, data: Any) -> Any:
            return {**data, "userCaption": "set"} if isinstance(data, dict) else data

    record = {**clip_record(), "titleName": "  Halo  "}
    stripped = Stripped.from_wire(record)
    assert stripped.title_name == "Halo" and not is_lazy(stripped)
    doubled = Doubled.from_wire(record)
    assert doubled.views == 2 * record["views"] and not is_lazy(doubled)
    captioned = Captioned.from_wire(record)
    assert captioned.user_caption == "set" and not is_lazy(captioned)
    for cls, model in ((Stripped, stripped), (Doubled, doubled), (Captioned, captioned)):
        assert_same(model, eager(cls, record))
        assert cls.read_lazily(record, {}) is None


@pytest.mark.skipif(not pydantic_at_least(2, 10), reason="default factories read data since 2.10")
def test_a_default_that_reads_the_other_fields_means_eager_validation() -> None:
    class Counted(Clip):
        views_again: int | None = pydantic.Field(
            default_factory=lambda data: data.get("views"))  # type: ignore[call-overload]

    clip = Counted.from_wire(clip_record())
    assert clip.views_again == clip_record()["views"] and not is_lazy(clip)


@pytest.mark.skipif(not pydantic_at_least(2, 7), reason="deprecated fields since 2.7")
def test_a_deprecated_field_still_warns() -> None:
    class Renamed(Clip):
        legacy: str | None = pydantic.Field(None, deprecated="read title_name")

    clip = Renamed.from_wire({**clip_record(), "legacy": "x"})
    with pytest.warns(DeprecationWarning, match="title_name"):
        assert clip.legacy == "x"


def test_read_lazily_builds_a_lazy_model_over_a_wire_object() -> None:
    entry = {**clip_record()["gameClipUris"][0], "fileSize": "big"}
    uri = MediaUri.read_lazily(entry, {"uri": entry["uri"]})
    assert uri is not None and is_lazy(uri) and uri.file_size is None
    assert uri == MediaUri.model_validate({k: v for k, v in entry.items() if k != "fileSize"})
    assert Clip.read_lazily({"views": 1}, {}) is None  # no identity
    assert Clip.read_lazily({"gameClipId": ""}, {}) is None  # an identity refused
    assert CommandDestination.read_lazily({"id": "x"}, {}) is None  # a validator of its own
    assert not is_lazy(CommandDestination.model_validate({"id": "x"}))


def test_nested_models_built_by_pydantic_stay_eager() -> None:
    thumb = Thumbnail.model_validate({"uri": "https://x", "thumbnailType": 1})
    assert not is_lazy(thumb) and thumb.thumbnail_type == "Small"


CLIP_BODIES = ["gameclips_recent_own.json", "gameclips_recent_community.json",
               "mediahub_gameclips_own.json", "screenshots_recent_own.json",
               "mediahub_screenshots_own.json"]
_CLASS = {"gameclips_recent_own.json": Clip, "gameclips_recent_community.json": Clip,
          "mediahub_gameclips_own.json": MediahubClip, "screenshots_recent_own.json": Screenshot,
          "mediahub_screenshots_own.json": MediahubScreenshot}


@pytest.mark.parametrize("name", CLIP_BODIES)
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_damaged_record_reads_lazily_as_eagerly(name: str, data: st.DataObject) -> None:
    """Whatever a record holds: when eager validation keeps it, the lazy model is the same;
    when the lazy model sets it aside, so does eager validation."""
    body = data.draw(damaged(name))
    items = next((v for v in body.values() if isinstance(v, list)), None) \
        if isinstance(body, dict) else None
    if not items:
        return
    cls = _CLASS[name]
    for item in items:
        try:
            lazy = cls.from_wire(item)
        except MalformedResponse:
            with pytest.raises(MalformedResponse):
                eager(cls, item)
            continue
        try:
            reference = eager(cls, item)
        except MalformedResponse:
            continue  # eager gave up on salvage rounds; lazily, the record is kept
        assert_same(lazy, reference)


def test_recorded_capture_bodies_are_the_ones_named_here() -> None:
    names = {p.name for p in RECORDED.glob("*.json")}
    assert set(CAPTURE_BODIES) <= names
