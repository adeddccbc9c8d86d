"""The base of every model: snake_case attributes over the wire's camelCase, unknown fields
kept, the untouched JSON in ``.raw``, and only identities required.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel, to_pascal

from ..exceptions import MalformedRecord, MalformedResponse
from ._lazy import LazyModel, build_lazy
from ._salvage import MAX_ROUNDS, refused, summary, without

__all__ = ["PASCAL_CASE", "MalformedRecord", "WireDateTime", "WireModel", "XboxModel",
           "parse_records", "set_aside_once", "warn_set_aside"]

log = logging.getLogger("xbox")
M = TypeVar("M", bound="XboxModel")


# A timezone-aware datetime (offset 0 for Xbox Live's "Z" times). pydantic's own parser is
# fast and accepts .NET's seven fraction digits, which datetime.fromisoformat refuses.
WireDateTime = AwareDatetime


class WireModel(LazyModel):
    r"""A wire object: ``gameClipId`` is ``game_clip_id``; fields Microsoft adds are kept.

    Nested parts of a record (thumbnails, locators, claims...) are plain wire models; the
    records themselves are :class:`XboxModel`\ s, which also keep their JSON in ``.raw``.

    Built from the wire (:meth:`XboxModel.from_wire`), a model is *lazy*: only its identity
    is validated at once; every other field is validated from the wire object on first
    access (the same validation, the same tolerance: a value of an unexpected type gives the
    field's default) and then stored. Dumps, ``==``, ``repr()``, copies and pickling validate
    the remaining fields first, so they read exactly as an eagerly validated model would.
    """

    # defer_build: a model's validator is built on first use, not at import (import xbox
    # stays light; a program that never reads achievements never builds their schema).
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="allow",
                              arbitrary_types_allowed=True, defer_build=True)


#: ``model_config`` of a model whose wire keys are PascalCase (``ItemId``: eplists, the store
#: catalog); merged with the rest of its base's configuration.
PASCAL_CASE = ConfigDict(alias_generator=to_pascal)


class XboxModel(WireModel):
    """A record as a service sent it (a clip, a profile...), its untouched JSON in ``.raw``.

    Only its identity is required (the fields without a default, such as a clip's
    ``game_clip_id``). A field of any other kind that arrives with a type this library does
    not expect is left at its default (None, or an empty list) instead of sinking the
    record: ``.raw`` still holds the value as it was sent.
    """

    #: The JSON object exactly as the service sent it (None when built by hand). A field
    #: that no wire key can fill and that dumps leave out, not a private attribute: those
    #: cost pydantic two extra calls per instance, a third of the cost of a clip.
    raw: Any = Field(default=None, alias="__xbox_raw__", exclude=True, repr=False)

    #: What ``repr()`` shows, identity first, as (label, attribute) pairs: a record has
    #: dozens of fields, and a repr that fills the screen hides the one that matters.
    #: Empty: pydantic's repr of every field.
    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = ()

    def __repr__(self) -> str:
        if not self.repr_fields:
            return super().__repr__()
        parts = []
        for label, attribute in self.repr_fields:
            value = getattr(self, attribute, None)
            if isinstance(value, datetime):
                shown = repr(value.isoformat().replace("+00:00", "Z"))
            else:
                shown = repr(value)
            parts.append(f"{label}={shown}")
        return f"{type(self).__name__}({', '.join(parts)})"

    @classmethod
    def from_wire(cls: type[M], data: Any) -> M:
        """Validate one wire object, keeping it in ``.raw``.

        Raises:
            MalformedResponse: the object is not an object, or its identity is missing or
                unusable (see :meth:`identity_problem`).
        """
        try:
            prepares = _PREPARES[cls]
        except KeyError:
            prepares = _PREPARES[cls] = any(
                "prepare_wire" in vars(c) for c in cls.__mro__[:cls.__mro__.index(XboxModel)])
        prepared = cls.prepare_wire(data) if prepares else data  # (a call less: the hot path)
        model = build_lazy(cls, prepared, {"raw": data}) if type(prepared) is dict else None
        if model is None:  # not an object, an identity refused, or a class built eagerly
            return cls._from_wire_eagerly(data, prepared)
        return _usable(model, model.wire_identity_problem(prepared), data)

    @classmethod
    def _from_wire_eagerly(cls: type[M], data: Any, prepared: Any) -> M:
        """:meth:`from_wire` by pydantic's validation of the whole object (``prepared``:
        ``data`` as :meth:`prepare_wire` gives it)."""
        try:
            model = cls.model_validate(prepared)
        except ValidationError as exc:
            model = cls._salvage(prepared, exc, data)
        model.__dict__["raw"] = data
        return _usable(model, model.identity_problem(), data)

    @classmethod
    def prepare_wire(cls, data: Any) -> Any:
        """The wire object in the shape the fields expect (mediahub's records are read
        into the metadata services' names here); the identity by default."""
        return data

    def wire_identity_problem(self, wire: dict[str, Any]) -> str | None:
        """:meth:`identity_problem` of a lazy model just built over ``wire`` (what
        :meth:`from_wire` asks). A subclass may answer from the wire object in plain Python
        and keep what it read as the fields' values (in ``__dict__``, exactly as reading
        them would give); by default the fields answer."""
        return self.identity_problem()

    def identity_problem(self) -> str | None:
        """Why this record cannot be used although it validated (None: it can).

        Subclasses check what validation cannot: a capture whose download locator has no
        usable address, say.
        """
        return None

    @classmethod
    def _salvage(cls: type[M], data: Any, exc: ValidationError, raw: Any) -> M:
        """Validate again without the fields that failed, unless an identity field did."""
        if not isinstance(data, dict):
            raise MalformedResponse(f"{cls.__name__} record is not an object", body=raw) from None
        identity = _identity_aliases(cls)
        cleaned: Any = data
        for _ in range(MAX_ROUNDS):
            locations = refused(exc)
            if locations is None or any(len(loc) == 1 and loc[0] in identity
                                        for loc in locations):
                raise MalformedResponse(
                    f"{cls.__name__} record could not be read: {summary(exc)}",
                    body=raw) from None
            log.debug("%s: kept a record without %s (unexpected types)", cls.__name__,
                      ", ".join(".".join(map(str, loc)) for loc in locations))
            cleaned = without(cleaned, locations)
            try:
                return cls.model_validate(cleaned)
            except ValidationError as again:
                exc = again
        raise MalformedResponse(f"{cls.__name__} record could not be read: {summary(exc)}",
                                body=raw) from None


def _usable(model: M, problem: str | None, data: Any) -> M:
    """``model``, unless its identity is unusable (:meth:`XboxModel.identity_problem`)."""
    if problem is not None:
        raise MalformedResponse(f"{type(model).__name__} record could not be read: {problem}",
                                body=data)
    return model


# Whether a class overrides XboxModel.prepare_wire.
_PREPARES: dict[type[BaseModel], bool] = {}
_IDENTITY: dict[type[BaseModel], frozenset[str]] = {}


def _identity_aliases(cls: type[BaseModel]) -> frozenset[str]:
    """The wire names of the required fields (the record's identity)."""
    found = _IDENTITY.get(cls)
    if found is None:
        found = frozenset(f.alias or name for name, f in cls.model_fields.items()
                          if f.is_required())
        _IDENTITY[cls] = found
    return found


def parse_records(cls: type[M], items: Any, errors: list[MalformedResponse] | None = None, *,
                  warn: bool = True) -> list[M]:
    """Validate each record on its own: a bad one is collected in ``errors``, never fatal
    for the others (one drifting presence record must not sink a batch).

    Args:
        warn: warn once (:class:`MalformedRecord`) when records were set aside; paginators
            pass False and warn once for the whole listing instead.
    """
    if not isinstance(items, list):
        raise MalformedResponse(f"expected a list of {cls.__name__} records", body=items)
    out: list[M] = []
    bad: list[MalformedResponse] = []
    from_wire, keep = cls.from_wire, out.append  # (5,000 records a listing: per-record cost)
    for item in items:
        try:
            keep(from_wire(item))
        except MalformedResponse as exc:
            bad.append(exc)
    if bad:
        if errors is not None:
            errors.extend(bad)
        if warn:
            warn_set_aside(bad)
    return out


@contextlib.contextmanager
def set_aside_once(errors: list[MalformedResponse] | None) -> Iterator[list[MalformedResponse]]:
    """For a call made of several requests (a batch in chunks): collect what each chunk sets
    aside (``parse_records(..., bad, warn=False)``), then warn once and hand it to ``errors``."""
    bad: list[MalformedResponse] = []
    yield bad
    warn_set_aside(bad)
    if errors is not None:
        errors.extend(bad)


def warn_set_aside(errors: list[MalformedResponse]) -> None:
    """One warning (and one log line) for records set aside by one call."""
    if not errors:
        return
    count = len(errors)
    text = (f"{count} record{'s' if count != 1 else ''} could not be read and "
            f"{'were' if count != 1 else 'was'} set aside (first: {errors[0].message})")
    log.info("%s", text)
    warnings.warn(text, MalformedRecord, stacklevel=3)
