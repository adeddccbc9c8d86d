"""Lazy validation: a model read from the wire validates its identity at once and every other
field on its first access (a listing is thousands of records; a caller reads a few fields of
each). bench/README.md (rows 2 and 3) measures what it saves: a clip validated eagerly costs
about 3-4 times as much, and a listing of 5,000 clips twice the CPU.

A lazy model's ``__dict__`` holds only what was read so far, beside the wire object it reads
from. Each field of a class that can be built lazily has a non-data descriptor on the class
(:class:`_Field`): the first read validates the field from the wire object on its own (a
plain-Python check for the common wire types, else a ``TypeAdapter`` of the field's
annotation, refused parts salvaged as a whole record's are; a refused value gives the
default) and stores it in ``__dict__``, which answers every later read. Whatever reads the
whole model (dumps, ``==``, ``repr()``, copies, pickling, iteration, ``model_fields_set``,
``model_extra``) validates the remaining fields first, so a lazy model reads exactly as
pydantic's eager validation of the same object.

This is the one module of :mod:`xbox.models` that relies on how pydantic keeps a model,
beyond its documented behaviour (``tests/test_models_pydantic.py`` holds the others to
that). It imports none of pydantic's private modules. What it assumes, held by
``tests/test_models_lazy.py`` (every recorded record and damaged ones, lazy against eager)
at both ends of the pydantic range ``pyproject.toml`` allows (``make test-pydantic-range``):

* An instance's state is its ``__dict__`` (the fields) and the documented
  ``__pydantic_fields_set__``, ``__pydantic_extra__`` and ``__pydantic_private__``; an
  instance made by ``cls.__new__(cls)`` whose ``__dict__`` is set with
  ``object.__setattr__`` is a model, as ``model_construct`` makes one. A lazy model leaves
  the other three unset until it is complete.
* A model class has no attribute named after a field (its values live in instances), so
  one can be put there: pydantic finds none (the descriptor raises ``AttributeError`` on
  the class, as a missing attribute would), and an instance's ``__dict__`` shadows it.
* pydantic reads an instance's state through the methods :class:`LazyModel` overrides, or
  by ordinary attribute access: reading an unset ``__pydantic_*`` attribute reaches
  ``__getattr__``, which completes the model first.
* ``cls.__pydantic_decorators__`` lists the validators a class declares. A class with
  validators of its own (its fields are not independent), private attributes, a
  ``model_post_init``, alias choices or configuration that changes how values validate is
  validated eagerly, as is every model built by hand or by ``model_validate``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import UnionType
from typing import TYPE_CHECKING, Any, Self, TypeVar, Union, cast, get_args, get_origin

import annotated_types
from pydantic import (
    BaseModel,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    PydanticUserError,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    ValidationError,
    WrapSerializer,
    model_serializer,
)
from pydantic.fields import FieldInfo

from ._salvage import MAX_ROUNDS, refused, without

__all__ = ["LazyModel", "build_lazy"]

L = TypeVar("L", bound="LazyModel")

_setattr = object.__setattr__
_STATE = ("__pydantic_extra__", "__pydantic_fields_set__", "__pydantic_private__")
_ABSENT: Any = object()   # no such key in the wire object
_REFUSED: Any = object()  # the wire value is refused (the field gets its default)
_SLOW: Any = object()     # a plain-Python check's "not sure: ask pydantic"


class LazyModel(BaseModel):
    """A pydantic model that can be built lazily over a wire object (:func:`build_lazy`)."""

    # The wire object a lazy model still reads from (None, or unset, once it is complete)
    # and the fields whose wire value was refused (unset until one is). Slots of our own:
    # pydantic leaves dunder names alone (a single underscore would make them private
    # attributes, which cost two more calls per instance).
    __slots__ = ("__xbox_failed__", "__xbox_src__")

    @classmethod
    def read_lazily(cls, data: dict[str, Any], known: dict[str, Any]) -> Self | None:
        """A lazy model over the wire object ``data``: its required fields validated at
        once, the others on first access. None when ``data`` lacks one of them or refuses
        it, or when this class is validated eagerly (validators of its own...).

        Args:
            known: fields already read from ``data``, exactly as reading them would give;
                it becomes the model's ``__dict__`` (not a copy).
        """
        return build_lazy(cls, data, known)

    def wire_object(self) -> dict[str, Any] | None:
        """The wire object a lazy model still reads fields from (None once every field is
        validated, or for a model validated eagerly)."""
        try:
            src: dict[str, Any] | None = _get_src(self)
        except AttributeError:
            return None
        return src

    def _xbox_complete(self) -> None:
        """Validate every field not read yet (and those of the lazy models it holds), so
        that ``__dict__``, the extra fields and the set fields are what eager validation
        gives. A model that is not lazy is left as it is."""
        src = self.wire_object()
        if src is None:
            return
        plan = _PLANS[type(self)]
        assert plan is not None  # a lazy model's class has a plan
        try:
            failed: set[str] = _get_failed(self)
        except AttributeError:
            failed = set()
        current = self.__dict__
        values: dict[str, Any] = {}
        fields_set: set[str] = set()
        used: set[str] = set()
        for field in plan.fields:
            key = next((k for k in field.keys if k in src), None)  # the alias first, as pydantic
            if key is not None:
                used.add(key)
            name = field.name
            if name in current:
                value = current[name]
                if key is not None and name not in failed:
                    fields_set.add(name)
            elif key is None:
                value = field.default()
            else:
                value = field.validate(src[key])
                if value is _REFUSED:
                    value = field.default()
                else:
                    fields_set.add(name)
            values[name] = _completed(value)
        extra = {k: v for k, v in src.items() if k not in used}
        fields_set.update(extra)
        for name, value in current.items():  # set since (by assignment), not a field
            values.setdefault(name, value)
        _setattr(self, "__dict__", values)  # (one step: another thread sees one or the other)
        _setattr(self, "__pydantic_extra__", extra)
        _setattr(self, "__pydantic_fields_set__", fields_set)
        _setattr(self, "__pydantic_private__", None)
        _set_src(self, None)

    if not TYPE_CHECKING:  # (a __getattr__ would make mypy accept any attribute)
        def __getattr__(self, name: str) -> Any:
            # Not found by ordinary lookup: pydantic's own state (unset on a lazy model) or an
            # extra field (pydantic keeps those in its state): complete the model, look again.
            try:
                src = _get_src(self)
            except AttributeError:
                src = None
            if src is not None:
                self._xbox_complete()
                if name in _STATE:
                    return object.__getattribute__(self, name)
            return super().__getattr__(name)

    def __eq__(self, other: object) -> bool:
        self._xbox_complete()
        if isinstance(other, LazyModel):
            other._xbox_complete()
        return super().__eq__(other)

    def __copy__(self: L) -> L:
        self._xbox_complete()
        return super().__copy__()

    def __deepcopy__(self: L, memo: dict[int, Any] | None = None) -> L:
        self._xbox_complete()
        return super().__deepcopy__(memo)

    def __getstate__(self) -> dict[Any, Any]:
        self._xbox_complete()
        return super().__getstate__()

    def __iter__(self) -> Any:
        self._xbox_complete()
        return super().__iter__()

    def __repr_args__(self) -> Any:
        self._xbox_complete()
        return super().__repr_args__()

    @model_serializer(mode="wrap")
    def _xbox_serialize(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Every dump (model_dump, model_dump_json, a model inside another one) reads the
        # state: a lazy model validates the rest of its fields first.
        self._xbox_complete()
        return handler(self)


# Our own slots, read and written without reaching __getattr__ when unset.
_get_src = LazyModel.__dict__["__xbox_src__"].__get__
_set_src = LazyModel.__dict__["__xbox_src__"].__set__
_get_failed = LazyModel.__dict__["__xbox_failed__"].__get__
_set_failed = LazyModel.__dict__["__xbox_failed__"].__set__


def build_lazy(cls: type[L], data: dict[str, Any], values: dict[str, Any]) -> L | None:
    """A lazy ``cls`` over the wire object ``data`` with its required fields validated, or
    None when one of them is missing or refused, or when ``cls`` is validated eagerly.

    ``values``: fields known already (``raw``, fields read from ``data`` exactly as reading
    them would give); the required fields are added to it, and it becomes the model's
    ``__dict__`` (not a copy).
    """
    try:
        plan = _PLANS[cls]
    except KeyError:
        plan = _plan(cls)
    if plan is None:
        return None
    for field in plan.required:
        wire = data.get(field.key, _ABSENT)
        if wire is _ABSENT and field.other_key is not None:
            wire = data.get(field.other_key, _ABSENT)
        if wire is _ABSENT:
            return None
        value = _SLOW
        fast = field.fast
        if fast is not None:  # (field.validate(), inlined: the hot path)
            try:
                value = fast(wire)
            except Exception:
                value = _SLOW
        if value is _SLOW:
            value = field.slow(wire)
            if value is _REFUSED:
                return None
        values[field.name] = value
    model = plan.new(cls)  # (as model_construct makes a model)
    _setattr(model, "__dict__", values)
    _set_src(model, data)
    return model


def _completed(value: Any) -> Any:
    if isinstance(value, LazyModel):
        value._xbox_complete()
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, LazyModel):
                item._xbox_complete()
    return value


# -- one field -------------------------------------------------------------------------------


class _Field:
    """How a lazy model reads one field from its wire object. It is also the field's class
    attribute: a non-data descriptor, so the instance's ``__dict__`` answers once the field
    has been read (validated once, then read at ``__dict__`` speed)."""

    __slots__ = ("check", "fast", "info", "key", "keys", "name", "other_key", "plain_default")

    def __init__(self, name: str, info: FieldInfo, keys: tuple[str, ...]) -> None:
        self.name = name
        self.keys = keys
        self.key = keys[0]
        self.other_key = keys[1] if len(keys) > 1 else None
        self.info = info
        self.fast = _fast_check(info)
        self.check: Callable[[Any], Any] | None = None  # pydantic's, built on first use
        self.plain_default = (info.default_factory is None
                              and isinstance(info.default, _IMMUTABLE))

    def __get__(self, model: LazyModel | None, owner: type | None = None) -> Any:
        if model is None:  # on the class: as pydantic, no such attribute (it has fields)
            raise AttributeError(self.name)
        try:
            src = _get_src(model)
        except AttributeError:
            src = None
        if src is None:  # (a field deleted from a complete model)
            raise AttributeError(f"{type(model).__name__!r} object has no attribute "
                                 f"{self.name!r}")
        wire = src.get(self.key, _ABSENT)
        if wire is _ABSENT and self.other_key is not None:
            wire = src.get(self.other_key, _ABSENT)
        if wire is _ABSENT:
            value = self.default()
        else:
            value = _SLOW
            fast = self.fast
            if fast is not None:  # (validate(), inlined: the hot path)
                try:
                    value = fast(wire)
                except Exception:
                    value = _SLOW
            if value is _SLOW:
                check = self.check
                try:  # (slow(), its first round inlined)
                    if check is None:
                        raise _NotBuilt
                    value = check(wire)
                except (ValidationError, _NotBuilt):
                    value = self.slow(wire)
                if value is _REFUSED:  # noted: the field is not among the set fields
                    try:
                        _get_failed(model).add(self.name)
                    except AttributeError:
                        _set_failed(model, {self.name})
                    value = self.default()
        model.__dict__[self.name] = value
        return value

    def default(self) -> Any:
        if self.plain_default:
            return self.info.default
        return self.info.get_default(call_default_factory=True)

    def validate(self, value: Any) -> Any:
        """The validated value, or _REFUSED."""
        fast = self.fast
        if fast is not None:
            try:
                out = fast(value)
            except Exception:  # (a plain validator that refuses: pydantic says how)
                out = _SLOW
            if out is not _SLOW:
                return out
        return self.slow(value)

    def slow(self, value: Any) -> Any:
        """The value validated by pydantic, or _REFUSED."""
        check = self.check
        if check is None:
            check = self.check = _adapter(self.info).validator.validate_python
        for _ in range(MAX_ROUNDS):  # a whole record's salvage, within this value
            try:
                return check(value)
            except ValidationError as exc:
                locations = refused(exc)
                if locations is None:
                    return _REFUSED
                value = without(value, locations)
        return _REFUSED


class _NotBuilt(Exception):
    """(pydantic's validator of a field is built on its first use)"""


_IMMUTABLE = (type(None), bool, int, float, str, bytes, tuple, frozenset)
_NONE = type(None)


def _adapter(info: FieldInfo) -> TypeAdapter[Any]:
    annotation = info.rebuild_annotation()
    try:
        return TypeAdapter(annotation, config=ConfigDict(arbitrary_types_allowed=True))
    except PydanticUserError:  # a model or TypedDict: it has its own configuration
        return TypeAdapter(annotation)


def _fast_check(info: FieldInfo) -> Callable[[Any], Any] | None:
    """A check in plain Python that gives what pydantic would for the common cases (an
    exact type, a wire enum's parser, a list of lazy models) and _SLOW for anything else."""
    annotation, metadata = info.annotation, info.metadata
    plain = [m for m in metadata if isinstance(m, PlainValidator)]
    if plain:
        others = [m for m in metadata
                  if not isinstance(m, PlainValidator | PlainSerializer | WrapSerializer)]
        if len(plain) != 1 or others or _arity(plain[0].func) != 1:
            return None
        return cast(Callable[[Any], Any], plain[0].func)  # (one argument: checked above)
    if annotation is Any and not metadata:
        return lambda value: value
    args = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else ()
    nullable = _NONE in args
    inner = [a for a in args if a is not _NONE] if args else [annotation]
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
        if isinstance(item, type) and issubclass(item, LazyModel):
            return _lazy_list(item, nullable)
    return None


def _arity(func: Any) -> int:
    try:
        return len(inspect.signature(func).parameters)
    except (TypeError, ValueError):
        return -1


def _takes_data(factory: Any) -> bool:
    """Whether a default factory reads the other fields (pydantic 2.10+): it needs them all."""
    if factory is None:
        return False
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.default is inspect.Parameter.empty
               and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)


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


def _lazy_list(item: type[LazyModel], nullable: bool) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value is None:
            return None if nullable else _SLOW
        if type(value) is not list:
            return _SLOW
        out = []
        for entry in value:
            if type(entry) is dict:
                model = build_lazy(item, entry, {})
                if model is None:
                    return _SLOW
                out.append(model)
            elif isinstance(entry, item):
                out.append(entry)
            else:
                return _SLOW
        return out
    return check


# -- one class -------------------------------------------------------------------------------


class _Plan:
    """How one class is built lazily: its fields, the required ones (its identity) first
    checked by :func:`build_lazy`."""

    __slots__ = ("by_name", "fields", "new", "required")

    def __init__(self, cls: type[BaseModel], fields: list[_Field]) -> None:
        self.fields = tuple(fields)
        self.by_name = {f.name: f for f in fields}
        self.required = tuple(f for f in fields if f.info.is_required())
        self.new = cls.__new__


_PLANS: dict[type[BaseModel], _Plan | None] = {}

# Configuration that leaves each field's validation as a TypeAdapter of its annotation does
# it (anything else, `str_strip_whitespace` or `strict` say, means eager validation).
_PLAIN_CONFIG = frozenset({
    "alias_generator", "arbitrary_types_allowed", "defer_build", "extra", "json_schema_extra",
    "populate_by_name", "protected_namespaces", "serialize_by_alias", "title",
    "use_attribute_docstrings", "validate_by_alias", "validate_by_name"})


def _plan(cls: type[BaseModel]) -> _Plan | None:
    """How ``cls`` is built lazily (once per class), or None: it is validated eagerly."""
    plan = _PLANS[cls] = _build_plan(cls)
    return plan


def _build_plan(cls: type[BaseModel]) -> _Plan | None:
    try:
        cls.model_rebuild()  # (a deferred build, or forward references: resolved now)
    except Exception:  # unresolved annotations: pydantic will say so, eagerly
        return None
    config = cls.model_config
    decorators = cls.__pydantic_decorators__
    if (config.get("extra") != "allow" or not set(config) <= _PLAIN_CONFIG
            or decorators.validators or decorators.field_validators
            or decorators.root_validators or decorators.model_validators
            or cls.__private_attributes__ or cls.model_post_init is not BaseModel.model_post_init):
        return None
    by_name = bool(config.get("populate_by_name") or config.get("validate_by_name"))
    by_alias = config.get("validate_by_alias", True) is not False
    fields = []
    for name, info in cls.model_fields.items():
        alias = info.validation_alias if info.validation_alias is not None else info.alias
        if ((alias is not None and not isinstance(alias, str)) or info.validate_default
                or info.discriminator is not None or getattr(info, "deprecated", None)
                or _takes_data(info.default_factory)):
            return None
        keys: tuple[str, ...] = ()
        if by_alias and alias is not None:
            keys = (alias,)
        if (by_name or not keys) and name not in keys:
            keys = (*keys, name)
        fields.append(_Field(name, info, keys))
    for field in fields:
        type.__setattr__(cls, field.name, field)
    return _Plan(cls, fields)
