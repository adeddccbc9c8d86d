"""The base of every model: snake_case attributes over the wire's camelCase, unknown fields
kept, the untouched JSON in ``.raw``, and only identities required.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import warnings
from collections.abc import Callable, Iterator
from datetime import datetime
from types import UnionType
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, Union, cast, get_args, get_origin

import annotated_types
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PydanticUserError,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    ValidationError,
    WrapSerializer,
    model_serializer,
)
from pydantic.alias_generators import to_camel, to_pascal
from pydantic.fields import FieldInfo

from ..exceptions import MalformedRecord, MalformedResponse

__all__ = ["PASCAL_CASE", "MalformedRecord", "WireDateTime", "WireModel", "XboxModel",
           "lazy_constructor", "never_raises", "parse_records", "set_aside_once",
           "warn_set_aside"]

log = logging.getLogger("xbox")
M = TypeVar("M", bound="XboxModel")
W = TypeVar("W", bound="WireModel")
F = TypeVar("F", bound=Callable[[Any], Any])


# A timezone-aware datetime (offset 0 for Xbox Live's "Z" times). pydantic's own parser is
# fast and accepts .NET's seven fraction digits, which datetime.fromisoformat refuses.
WireDateTime = AwareDatetime


class WireModel(BaseModel):
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

    # A lazy model's wire object (None, or unset, once every field is validated) and the
    # fields whose wire value was refused (unset until one is). Dunder names: pydantic
    # leaves them alone (a single underscore would make them private attributes).
    __slots__ = ("__xbox_failed__", "__xbox_src__")

    @classmethod
    def _lazy(cls: type[W], data: dict[str, Any], values: dict[str, Any] | None = None,
              ) -> W | None:
        """A lazy model over ``data`` with its required fields validated, or None when one
        of them is missing or refused, or when this class cannot be built lazily.

        ``values``: fields already validated from ``data`` (exactly what reading them
        would give), stored as they are.
        """
        try:
            plan = _PLANS[cls]
        except KeyError:
            plan = _plan(cls)
        if plan is None:
            return None
        if values is None:
            values = {}
        for fp in plan.required:
            value = data.get(fp.key, _ABSENT)
            if value is _ABSENT and fp.other_key is not None:
                value = data.get(fp.other_key, _ABSENT)
            if value is _ABSENT:
                return None
            fast = fp.fast
            out = _SLOW if fast is None else fast(value)
            if out is _SLOW:
                ok, out = fp.validate(value)
                if not ok:
                    return None
            values[fp.name] = out
        model = _new(cls)
        _set_dict(model, values)
        _set_src(model, data)
        return model

    def wire_object(self) -> dict[str, Any] | None:
        """The wire object a lazy model still reads fields from (None once every field is
        validated, or for a model validated eagerly)."""
        try:
            src: dict[str, Any] | None = _get_src(self)
        except AttributeError:
            return None
        return src

    def _xbox_materialize(self) -> None:
        """Validate every field not read yet (and those of the lazy models it holds), so
        that ``__dict__``, the extra fields and the set fields are what eager validation
        gives. A model that is not lazy is left as it is."""
        try:
            src = _get_src(self)
        except AttributeError:
            return
        if src is None:
            return
        plan = _plan(type(self))
        assert plan is not None  # a lazy model's class has a plan
        try:
            failed: set[str] = _get_failed(self)
        except AttributeError:
            failed = set()
        current = self.__dict__
        values: dict[str, Any] = {}
        fields_set: set[str] = set()
        for fp in plan.fields:
            name = fp.name
            if name in current:
                value = current[name]
                if name not in failed and fp.lookup(src)[0]:
                    fields_set.add(name)
            else:
                found, wire = fp.lookup(src)
                if found:
                    ok, value = fp.validate(wire)
                    if ok:
                        fields_set.add(name)
                    else:
                        value = fp.default()
                else:
                    value = fp.default()
            values[name] = _materialized(value)
        used = set()
        for fp in plan.fields:  # the key each field read (the alias first, as pydantic)
            for key in fp.keys:
                if key in src:
                    used.add(key)
                    break
        extra = {k: v for k, v in src.items() if k not in used}
        fields_set.update(extra)
        for name, value in current.items():  # set since (by assignment), not a field
            values.setdefault(name, value)
        _set_dict(self, values)  # (one step: a reader in another thread sees one or the other)
        _set_extra(self, extra)
        _set_fields_set(self, fields_set)
        _set_private(self, None)
        _set_src(self, None)

    if not TYPE_CHECKING:  # (a __getattr__ would make mypy accept any attribute)
        def __getattr__(self, name: str) -> Any:
            # Not found: pydantic's own slots (unset on a lazy model) or an extra field
            # (kept in __pydantic_extra__, which pydantic reads as a slot): a lazy model
            # validates the rest of its fields first, then looks again.
            try:
                src = _get_src(self)
            except AttributeError:
                src = None
            if src is not None:
                self._xbox_materialize()
                if name in ("__pydantic_extra__", "__pydantic_fields_set__",
                            "__pydantic_private__"):
                    return object.__getattribute__(self, name)
            return super().__getattr__(name)

    def __eq__(self, other: object) -> bool:
        self._xbox_materialize()
        if isinstance(other, WireModel):
            other._xbox_materialize()
        return super().__eq__(other)

    def __copy__(self: W) -> W:
        self._xbox_materialize()
        return super().__copy__()

    def __deepcopy__(self: W, memo: dict[int, Any] | None = None) -> W:
        self._xbox_materialize()
        return super().__deepcopy__(memo)

    def __getstate__(self) -> dict[Any, Any]:
        self._xbox_materialize()
        return super().__getstate__()

    def __iter__(self) -> Any:
        self._xbox_materialize()
        return super().__iter__()

    def __repr_args__(self) -> Any:
        self._xbox_materialize()
        return super().__repr_args__()

    @model_serializer(mode="wrap")
    def _xbox_serialize(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Every dump (model_dump, model_dump_json, a model inside another one) reads
        # __dict__: a lazy model validates the rest of its fields first.
        self._xbox_materialize()
        return handler(self)


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
            plan = _PLANS[cls]
        except KeyError:
            plan = _plan(cls)
        prepared = data if plan is not None and plan.plain_prepare else cls.prepare_wire(data)
        model = None
        if plan is not None and type(prepared) is dict:  # lazily (as _lazy: the hot path)
            values = {"raw": data}
            for fp in plan.required:
                value = prepared.get(fp.key, _ABSENT)
                if value is _ABSENT and fp.other_key is not None:
                    value = prepared.get(fp.other_key, _ABSENT)
                if value is _ABSENT:
                    break
                fast = fp.fast
                out = _SLOW if fast is None else fast(value)
                if out is _SLOW:
                    ok, out = fp.validate(value)
                    if not ok:
                        break
                values[fp.name] = out
            else:
                model = _new(cls)
                _set_dict(model, values)
                _set_src(model, prepared)
        if model is not None:
            problem = model.wire_identity_problem(prepared)
        else:  # not an object, an identity refused, or a class built eagerly
            try:
                model = cls.model_validate(prepared)
            except ValidationError as exc:
                model = cls._salvage(prepared, exc, data)
            model.__dict__["raw"] = data
            problem = model.identity_problem()
        if problem is not None:
            raise MalformedResponse(f"{cls.__name__} record could not be read: {problem}",
                                    body=data)
        return model

    @classmethod
    def prepare_wire(cls, data: Any) -> Any:
        """The wire object in the shape the fields expect (mediahub's records are read
        into the metadata services' names here); the identity by default."""
        return data

    def wire_identity_problem(self, wire: dict[str, Any]) -> str | None:
        """:meth:`identity_problem` of a lazy model just built over ``wire`` (what
        :meth:`from_wire` asks). A subclass may answer from the wire object directly,
        without building fields; by default the fields answer."""
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


# -- lazy models ---------------------------------------------------------------------------
# A lazy model is a pydantic model whose __dict__ holds only what was read so far. Each field
# of a class that can be built lazily gets a non-data descriptor on the class: instance
# __dict__ shadows it, so a field is validated once, on the first read, and read at
# __dict__ speed after that. Each field is validated on its own (a fast check for the common
# wire types, else a TypeAdapter of the field's annotation, with the salvage of
# XboxModel._salvage applied to that one value); a refused value gives the default.

_new = object.__new__  # BaseModel defines no __new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_get_src = WireModel.__dict__["__xbox_src__"].__get__
_set_src = WireModel.__dict__["__xbox_src__"].__set__
_get_failed = WireModel.__dict__["__xbox_failed__"].__get__
_set_failed = WireModel.__dict__["__xbox_failed__"].__set__

_SLOW: Any = object()  # a fast check's "not sure: ask pydantic"
_ABSENT: Any = object()


class _NotBuilt(Exception):
    """(pydantic's validator of a field is built on its first use)"""
_NONE_TYPE = type(None)


def _materialized(value: Any) -> Any:
    if isinstance(value, WireModel):
        value._xbox_materialize()
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, WireModel):
                item._xbox_materialize()
    return value


class _Field:
    """How a lazy model reads one field from the wire object."""

    __slots__ = ("check", "fast", "info", "key", "keys", "name", "other_key", "plain_default")

    def __init__(self, name: str, info: FieldInfo, keys: tuple[str, ...]) -> None:
        self.name = name
        self.keys = keys
        self.key = keys[0]
        self.other_key = keys[1] if len(keys) > 1 else None
        self.info = info
        self.fast: Callable[[Any], Any] | None = _fast_check(info)
        self.check: Callable[[Any], Any] | None = None  # pydantic's, built when needed
        self.plain_default = (info.default_factory is None
                              and isinstance(info.default, _IMMUTABLE_DEFAULTS))

    def lookup(self, data: dict[str, Any]) -> tuple[bool, Any]:
        for key in self.keys:
            if key in data:
                return True, data[key]
        return False, None

    def default(self) -> Any:
        if self.plain_default:
            return self.info.default
        return self.info.get_default(call_default_factory=True, validated_data={})

    def validate(self, value: Any) -> tuple[bool, Any]:
        """(True, the validated value) or (False, None) when the value is refused."""
        fast = self.fast
        if fast is not None:
            out = fast(value)
            if out is not _SLOW:
                return True, out
        check = self.check
        if check is None:
            check = self.check = _adapter(self.info).validator.validate_python
        for _ in range(_MAX_SALVAGE_ROUNDS):  # as XboxModel._salvage, within this value
            try:
                return True, check(value)
            except ValidationError as exc:
                locations = []
                for err in exc.errors():
                    loc = tuple(err["loc"])
                    if err["type"] == "missing":
                        loc = loc[:-1]
                    if not loc:
                        return False, None  # the value itself is refused
                    locations.append(loc)
                value = _without(value, locations)
        return False, None

    def refused(self, model: WireModel) -> Any:
        """The default, with the field noted as not set (for ``model_fields_set``)."""
        try:
            _get_failed(model).add(self.name)
        except AttributeError:
            _set_failed(model, {self.name})
        return self.default()


_IMMUTABLE_DEFAULTS = (type(None), bool, int, float, str, bytes, tuple, frozenset)


class _LazyField:
    """The class attribute of a lazy model's field: validates it on the first read."""

    __slots__ = ("fast", "field", "key", "name", "other_key")

    def __init__(self, field: _Field) -> None:
        self.field = field
        self.name = field.name
        self.key = field.key
        self.other_key = field.other_key
        self.fast = field.fast

    def __get__(self, model: WireModel | None, owner: type | None = None) -> Any:
        if model is None:  # on the class: as pydantic, no such attribute (it has fields)
            raise AttributeError(self.name)
        try:
            src = _get_src(model)
        except AttributeError:
            src = None
        if src is None:
            raise AttributeError(f"{type(model).__name__!r} object has no attribute "
                                 f"{self.name!r}")
        wire = src.get(self.key, _ABSENT)
        if wire is _ABSENT and self.other_key is not None:
            wire = src.get(self.other_key, _ABSENT)
        if wire is _ABSENT:
            value = self.field.default()
        else:
            fast = self.fast
            value = _SLOW if fast is None else fast(wire)
            if value is _SLOW:
                field = self.field
                check = field.check
                try:
                    if check is None:
                        raise _NotBuilt
                    value = check(wire)
                except (ValidationError, _NotBuilt):
                    ok, value = field.validate(wire)
                    if not ok:
                        value = field.refused(model)
        model.__dict__[self.name] = value
        return value


class _Plan:
    __slots__ = ("by_name", "fields", "plain_prepare", "required")

    def __init__(self, fields: list[_Field], required: list[_Field], plain_prepare: bool,
                 ) -> None:
        self.fields = tuple(fields)
        self.by_name = {f.name: f for f in fields}
        self.required = tuple(required)
        self.plain_prepare = plain_prepare  # XboxModel.prepare_wire, not overridden


_PLANS: dict[type[BaseModel], _Plan | None] = {}


def _plan(cls: type[BaseModel]) -> _Plan | None:
    """How ``cls`` is built lazily (built once per class), or None: eager validation."""
    try:
        return _PLANS[cls]
    except KeyError:
        pass
    plan = _build_plan(cls)
    _PLANS[cls] = plan
    return plan


_CONSTRUCTORS: dict[type[BaseModel], Callable[[dict[str, Any], dict[str, Any]], Any] | None] = {}


def lazy_constructor(cls: type[W]) -> Callable[[dict[str, Any], dict[str, Any]], W] | None:
    """``cls._lazy(data, values)`` for a class without required fields, as one quick
    function (None: the class has required fields or is built eagerly).

    ``values`` must be what reading those fields from ``data`` gives.
    """
    try:
        return _CONSTRUCTORS[cls]
    except KeyError:
        pass
    plan = _plan(cls)
    build: Callable[[dict[str, Any], dict[str, Any]], W] | None = None
    if plan is not None and not plan.required:
        def build(data: dict[str, Any], values: dict[str, Any]) -> W:
            model = _new(cls)
            _set_dict(model, values)
            _set_src(model, data)
            return model
    _CONSTRUCTORS[cls] = build
    return build


def _build_plan(cls: type[BaseModel]) -> _Plan | None:
    # Only what per-field validation reproduces exactly: no validators across fields, no
    # private attributes or post-init, plain aliases, extra fields allowed.
    if not cls.__pydantic_complete__:
        try:
            cls.model_rebuild()
        except Exception:  # unresolved annotations: pydantic will say so, eagerly
            return None
    config = cls.model_config
    decorators = cls.__pydantic_decorators__
    if (config.get("extra") != "allow" or decorators.validators or decorators.field_validators
            or decorators.root_validators or decorators.model_validators
            or cls.__private_attributes__ or cls.model_post_init is not BaseModel.model_post_init):
        return None
    by_name = bool(config.get("populate_by_name") or config.get("validate_by_name"))
    by_alias = config.get("validate_by_alias", True) is not False
    fields, required = [], []
    for name, info in cls.model_fields.items():
        alias = info.validation_alias if info.validation_alias is not None else info.alias
        if (alias is not None and not isinstance(alias, str)) or info.validate_default:
            return None
        keys: tuple[str, ...] = ()
        if by_alias and alias is not None:
            keys = (alias,)
        if (by_name or not keys) and name not in keys:
            keys = (*keys, name)
        field = _Field(name, info, keys)
        fields.append(field)
        if info.is_required():
            required.append(field)
    for field in fields:
        type.__setattr__(cls, field.name, _LazyField(field))
    plain_prepare = not issubclass(cls, XboxModel) or all(
        "prepare_wire" not in vars(c) for c in cls.__mro__[:cls.__mro__.index(XboxModel)])
    return _Plan(fields, required, plain_prepare)


def _adapter(info: FieldInfo) -> TypeAdapter[Any]:
    annotation = info.rebuild_annotation()
    try:
        return TypeAdapter(annotation, config=ConfigDict(arbitrary_types_allowed=True))
    except PydanticUserError:  # a model or TypedDict: it has its own configuration
        return TypeAdapter(annotation)


def _fast_check(info: FieldInfo) -> Callable[[Any], Any] | None:
    """A check in plain Python that gives what pydantic would for the common cases (an
    exact type, a wire enum, a list of wire models) and _SLOW for anything else."""
    annotation, metadata = info.annotation, info.metadata
    plain = [m for m in metadata if isinstance(m, PlainValidator)]
    if plain:
        others = [m for m in metadata if not isinstance(m, PlainValidator | PlainSerializer
                                                         | WrapSerializer)]
        if len(plain) != 1 or others or _arity(plain[0].func) != 1:
            return None
        func = cast(Callable[[Any], Any], plain[0].func)  # (one argument: checked above)
        if func in _TOTAL:
            return func
        return lambda value: _call_plain(func, value)
    if annotation is Any and not metadata:
        return lambda value: value
    args = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else ()
    nullable = _NONE_TYPE in args
    inner = [a for a in args if a is not _NONE_TYPE] if args else [annotation]
    if len(inner) != 1:
        return None
    kind = inner[0]
    if kind in (str, int, float, bool):
        min_length = None
        for m in metadata:
            if isinstance(m, annotated_types.MinLen) and kind is str:
                min_length = m.min_length
            else:
                return None
        return _exact(cast(type, kind), nullable, min_length)
    if metadata:
        return None
    if get_origin(kind) is list and len(get_args(kind)) == 1:
        item = get_args(kind)[0]
        if isinstance(item, type) and issubclass(item, WireModel):
            return _lazy_list(item, nullable)
    return None


def _arity(func: Any) -> int:
    try:
        return len(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return -1


_TOTAL: set[Callable[[Any], Any]] = set()


def never_raises(func: F) -> F:
    """Mark a one-argument plain validator that returns a value for any input (the wire
    enums' parsers): lazy models call it without guarding against exceptions."""
    _TOTAL.add(func)
    return func


def _call_plain(func: Callable[[Any], Any], value: Any) -> Any:
    try:
        return func(value)
    except Exception:  # pydantic decides what that means
        return _SLOW


def _exact(kind: type, nullable: bool, min_length: int | None) -> Callable[[Any], Any]:
    if min_length is not None:
        def check_length(value: Any) -> Any:
            if type(value) is str and len(value) >= min_length:
                return value
            return None if value is None and nullable else _SLOW
        return check_length

    def check(value: Any) -> Any:
        if type(value) is kind:
            return value
        return None if value is None and nullable else _SLOW  # (else: pydantic decides)
    return check


def _lazy_list(item: type[WireModel], nullable: bool) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value is None:
            return None if nullable else _SLOW
        if type(value) is not list:
            return _SLOW
        out = []
        for entry in value:
            if type(entry) is dict:
                model = item._lazy(entry)
                if model is None:
                    return _SLOW
                out.append(model)
            elif isinstance(entry, item):
                out.append(entry)
            else:
                return _SLOW
        return out
    return check
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
