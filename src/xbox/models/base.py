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

from ..exceptions import MalformedResponse

__all__ = ["PASCAL_CASE", "MalformedRecord", "WireDateTime", "WireModel", "XboxModel", "parse_records",
           "set_aside_once", "warn_set_aside"]

log = logging.getLogger("xbox")
M = TypeVar("M", bound="XboxModel")


# A timezone-aware datetime (offset 0 for Xbox Live's "Z" times). pydantic's own parser is
# fast and accepts .NET's seven fraction digits, which datetime.fromisoformat refuses.
WireDateTime = AwareDatetime


class WireModel(BaseModel):
    r"""A wire object: ``gameClipId`` is ``game_clip_id``; fields Microsoft adds are kept.

    Nested parts of a record (thumbnails, locators, claims...) are plain wire models; the
    records themselves are :class:`XboxModel`\ s, which also keep their JSON in ``.raw``.
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
        prepared = cls.prepare_wire(data)
        try:
            model = cls.model_validate(prepared)
        except ValidationError as exc:
            model = cls._salvage(prepared, exc, data)
        problem = model.identity_problem()
        if problem is not None:
            raise MalformedResponse(f"{cls.__name__} record could not be read: {problem}",
                                    body=data)
        model.__dict__["raw"] = data
        return model

    @classmethod
    def prepare_wire(cls, data: Any) -> Any:
        """The wire object in the shape the fields expect (mediahub's records are read
        into the metadata services' names here); the identity by default."""
        return data

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
        for _ in range(_MAX_SALVAGE_ROUNDS):
            locations = []
            for err in exc.errors():
                loc = tuple(err["loc"])
                if err["type"] == "missing":
                    loc = loc[:-1]  # a nested object lacks its own identity: drop the object
                if not loc or (len(loc) == 1 and loc[0] in identity):
                    raise MalformedResponse(
                        f"{cls.__name__} record could not be read: {_summary(exc)}",
                        body=raw) from None
                locations.append(loc)
            log.debug("%s: kept a record without %s (unexpected types)", cls.__name__,
                      ", ".join(".".join(map(str, loc)) for loc in locations))
            cleaned = _without(cleaned, locations)
            try:
                return cls.model_validate(cleaned)
            except ValidationError as again:
                exc = again
        raise MalformedResponse(f"{cls.__name__} record could not be read: {_summary(exc)}",
                                body=raw) from None


_MAX_SALVAGE_ROUNDS = 4
_IDENTITY: dict[type[BaseModel], frozenset[str]] = {}


def _identity_aliases(cls: type[BaseModel]) -> frozenset[str]:
    """The wire names of the required fields (the record's identity)."""
    found = _IDENTITY.get(cls)
    if found is None:
        found = frozenset(f.alias or name for name, f in cls.model_fields.items()
                          if f.is_required())
        _IDENTITY[cls] = found
    return found


def _without(data: Any, locations: list[tuple[Any, ...]]) -> Any:
    """A copy of ``data`` with the value at each location removed (containers on the way
    are copied, the rest shared). List items go from the highest index down, so earlier
    removals do not shift later ones."""
    for loc in sorted(locations, key=lambda loc: [str(p).zfill(8) for p in loc], reverse=True):
        data = _drop(data, loc)
    return data


def _drop(data: Any, loc: tuple[Any, ...]) -> Any:
    head, rest = loc[0], loc[1:]
    if isinstance(data, dict) and head in data:
        copy = dict(data)
        if rest:
            copy[head] = _drop(data[head], rest)
        else:
            del copy[head]
        return copy
    if isinstance(data, list) and isinstance(head, int) and 0 <= head < len(data):
        copy_list = list(data)
        if rest:
            copy_list[head] = _drop(data[head], rest)
        else:
            del copy_list[head]
        return copy_list
    return data


def _summary(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


class MalformedRecord(UserWarning):
    """Records of a list or batch could not be read; the rest were."""


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
    for item in items:
        try:
            out.append(cls.from_wire(item))
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
