"""The base of every model: snake_case attributes over the wire's camelCase, unknown fields
kept, the untouched JSON in ``.raw``, and only identities required.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_camel

from ..exceptions import MalformedResponse

__all__ = ["MalformedRecord", "WireDateTime", "WireModel", "XboxModel", "parse_records"]

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


class XboxModel(WireModel):
    """A record as a service sent it (a clip, a profile...), its untouched JSON in ``.raw``."""

    #: The JSON object exactly as the service sent it (None when built by hand). A field
    #: that no wire key can fill and that dumps leave out, not a private attribute: those
    #: cost pydantic two extra calls per instance, a third of the cost of a clip.
    raw: Any = Field(default=None, alias="__xbox_raw__", exclude=True, repr=False)

    @classmethod
    def from_wire(cls: type[M], data: Any) -> M:
        """Validate one wire object, keeping it in ``.raw``.

        Raises:
            MalformedResponse: the object lacks an identity or has wrongly typed fields.
        """
        try:
            model = cls.model_validate(data)
        except ValidationError as exc:
            raise MalformedResponse(
                f"{cls.__name__} record could not be read: {_summary(exc)}", body=data) from None
        model.__dict__["raw"] = data
        return model


def _summary(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err["loc"]) or "record"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


class MalformedRecord(UserWarning):
    """One record of a list or batch could not be read; the rest were."""


def parse_records(cls: type[M], items: Any, errors: list[MalformedResponse] | None = None) -> list[M]:
    """Validate each record on its own: a bad one is warned about and collected in ``errors``,
    never fatal for the others (one drifting presence record must not sink a batch)."""
    if not isinstance(items, list):
        raise MalformedResponse(f"expected a list of {cls.__name__} records", body=items)
    out: list[M] = []
    for item in items:
        try:
            out.append(cls.from_wire(item))
        except MalformedResponse as exc:
            warnings.warn(str(exc), MalformedRecord, stacklevel=3)
            log.warning("skipped a malformed %s record: %s", cls.__name__, exc.message)
            if errors is not None:
                errors.append(exc)
    return out
