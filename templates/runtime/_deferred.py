"""References between model modules that are resolved when a value needs them, not at import.

A large API's models refer to each other in cycles (Stripe's customer names its invoices, which
name their customer): imported eagerly, one such cycle loads and builds hundreds of classes for any
call that touches one of them. A models module instead binds a name from another module of its
cycle to a stand-in (`deferred("Invoice")`; type checkers import the class itself), and a field
naming one is marked `DEFERRED`: its validator is built from the real classes the first time a
value arrives for the field. Until then the field costs nothing; after, it validates exactly as
the plain annotation would, union matching included, and errors carry the field's location.

Stand-ins are object models (the generator defers nothing else), which accept only objects: a
value holding none (an id where an expandable field could hold the object, None, a list of ids)
is validated against the annotation without them, which loads no class, and gets the same result;
where that fails, the full annotation gives the errors.

One thing pydantic cannot see through a deferred field: where several models of a union accept
an object, it picks the one with the most fields set, counting those of the models nested in it,
and a deferred field's models are validated apart. So within a deferred field, such a union picks
its member itself, counting the same way over the values it got (`_Scored`).
"""

from __future__ import annotations

import functools
import importlib
import operator
import threading
import types
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

import pydantic
from pydantic_core import CoreSchema, core_schema

_MODELS = __name__.rpartition(".")[0] + ".models"


class _StandIn:
    """A model class of another module, by name; subclassed once per name and module."""

    model_name: ClassVar[str] = ""

    @classmethod
    def resolved(cls) -> Any:
        return getattr(importlib.import_module(_MODELS), cls.model_name)


def deferred(name: str) -> Any:
    """A stand-in for the model `name`, usable in annotations (`X | None`, `list[X]`)."""
    return type(name, (_StandIn,), {"model_name": name, "__slots__": ()})


_GENERATING = threading.local()  # the deferred fields whose JSON schema is being generated
_NOTHING = object()  # what is left of an annotation that only a stand-in could satisfy


def _without_stand_ins(annotation: Any) -> Any:
    """`annotation` without the union members that need a stand-in's class, or _NOTHING."""
    if isinstance(annotation, type) and issubclass(annotation, _StandIn):
        return _NOTHING
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is None or not args or origin is Literal:
        return annotation
    if origin is Annotated:  # a discriminated union: its members are objects
        return _NOTHING if _without_stand_ins(args[0]) != args[0] else annotation
    parts = [_without_stand_ins(arg) for arg in args]
    if origin is Union or origin is types.UnionType:
        kept = [part for part in parts if part is not _NOTHING]
        return functools.reduce(operator.or_, kept) if kept else _NOTHING
    return _NOTHING if any(part is _NOTHING for part in parts) else origin[tuple(parts)]


def _holds_no_object(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return all(_holds_no_object(item) for item in value)
    return not isinstance(value, dict | pydantic.BaseModel)


def resolved(annotation: Any, *, scored: bool = False) -> Any:
    """`annotation` with every stand-in replaced by the class it stands for (a field's
    `model_fields` annotation names the stand-in: code that reads it resolves it first); with
    `scored`, its unions of several models marked to pick a member as pydantic would (_Scored)."""
    if isinstance(annotation, type) and issubclass(annotation, _StandIn):
        return annotation.resolved()
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is None or not args or origin is Literal:
        return annotation
    if origin is Annotated:  # a discriminated union, which picks by its tag: never scored
        return annotation.copy_with((resolved(args[0]),))  # the same metadata around it
    parts = tuple(resolved(arg, scored=scored) for arg in args)
    if origin is Union or origin is types.UnionType:
        union = functools.reduce(operator.or_, parts)
        return Annotated[union, _Scored(_object_models(parts))] if scored and _object_models(parts) else union
    return origin[parts]


def _object_models(members: tuple[Any, ...]) -> tuple[type[pydantic.BaseModel], ...]:
    """The models of a union, where two or more of them and nothing else can take an object."""
    models = tuple(m for m in members if isinstance(m, type) and issubclass(m, pydantic.BaseModel))
    if len(models) < 2 or any(issubclass(m, pydantic.RootModel) for m in models):
        return ()
    others = [m for m in members if m not in models]
    takes_no_object = all(
        m is type(None)
        or get_origin(m) in (Literal, list)
        or (isinstance(m, type) and m not in (object, Any) and not issubclass(m, dict))
        for m in others
    )
    return models if takes_no_object else ()


def _fields_set(value: Any) -> int:
    """How pydantic scores a union member: the fields the input set, in the model and in every
    model it holds."""
    if isinstance(value, pydantic.BaseModel):
        given = value.model_fields_set.intersection(type(value).model_fields)
        return len(given) + sum(_fields_set(getattr(value, name)) for name in given)
    if isinstance(value, list | tuple):
        return sum(_fields_set(item) for item in value)
    if isinstance(value, dict):
        return sum(_fields_set(item) for item in value.values())
    return 0


def _most_fields_set(
    accepted: list[tuple[type[pydantic.BaseModel], Any]], value: Any, info: core_schema.ValidationInfo
) -> Any:
    best_model, best = accepted[0]
    most = _fields_set(best)
    for model, got in accepted[1:]:
        count = _fields_set(got)
        # Of equals, pydantic keeps the first unless a later one needed no lax conversion.
        if count > most or (count == most and _lax_only(best_model, value, info) and not _lax_only(model, value, info)):
            best_model, best, most = model, got, count
    return best


def _lax_only(model: type[pydantic.BaseModel], value: Any, info: core_schema.ValidationInfo) -> bool:
    try:
        model.model_validate(value, strict=True, context=info.context)
    except pydantic.ValidationError:
        return True
    return False


class _Scored:
    """A union of several models inside a deferred field: an object goes to the model that sets
    the most fields (the first of equals), as pydantic's own matching would choose."""

    def __init__(self, models: tuple[type[pydantic.BaseModel], ...]) -> None:
        self.models = models
        self.source: Any = None  # the union, as pydantic hands it over
        self._union: pydantic.TypeAdapter[Any] | None = None

    def union(self) -> pydantic.TypeAdapter[Any]:
        """The union as pydantic matches it: for what is no object, and for the errors."""
        if self._union is None:
            self._union = pydantic.TypeAdapter(self.source)
        return self._union

    def __get_pydantic_core_schema__(self, source: Any, handler: pydantic.GetCoreSchemaHandler) -> CoreSchema:
        del handler
        self.source = source

        def validate(value: Any, info: core_schema.ValidationInfo) -> Any:
            if isinstance(value, dict):
                accepted: list[tuple[type[pydantic.BaseModel], Any]] = []
                for model in self.models:
                    try:
                        accepted.append((model, model.model_validate(value, context=info.context)))
                    except pydantic.ValidationError:
                        continue
                if len(accepted) == 1:
                    return accepted[0][1]
                if accepted:
                    return _most_fields_set(accepted, value, info)
            return self.union().validate_python(value, context=info.context)  # its errors name every member

        return core_schema.with_info_plain_validator_function(validate)

    def __get_pydantic_json_schema__(self, _: CoreSchema, inner: pydantic.GetJsonSchemaHandler) -> Any:
        return inner(_whole(self.union().core_schema))


def _whole(schema: CoreSchema) -> CoreSchema:
    """`schema` for a JSON schema handler, which reads the metadata of what a schema holds but not
    of the schema it is handed: an adapter's own schema may be a scored union's."""
    return core_schema.definitions_schema(schema, [])


class _Deferred:
    """Marks a field whose annotation names stand-ins (`Annotated[X | None, DEFERRED]`)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: pydantic.GetCoreSchemaHandler) -> CoreSchema:
        del handler  # the real schema is built on first use, from the resolved annotation
        built: dict[str, pydantic.TypeAdapter[Any]] = {}
        plain = _without_stand_ins(source)

        def adapter(kind: str = "full") -> pydantic.TypeAdapter[Any]:
            if kind not in built:  # two threads may both build it; either result is the same
                built[kind] = pydantic.TypeAdapter(resolved(source, scored=True) if kind == "full" else plain)
            return built[kind]

        # The adapters' own validators, called directly: a field validates every value it gets.
        def validate(value: Any, info: core_schema.ValidationInfo) -> Any:
            if plain is not _NOTHING and _holds_no_object(value):
                try:
                    return adapter("plain").validator.validate_python(value, context=info.context)
                except pydantic.ValidationError:
                    pass  # the full annotation's errors name every member the value fails
            return adapter().validator.validate_python(value, context=info.context)

        def json_schema(_: CoreSchema, inner: pydantic.GetJsonSchemaHandler) -> Any:
            # A field of a class this field's schema holds may lead back to it, and each adapter's
            # schema is whole: the field met again inside itself is left open. Its class's
            # definition is written again as the outer generation finishes, complete.
            active = _GENERATING.__dict__.setdefault("fields", set())
            if id(built) in active:
                return {}
            active.add(id(built))
            try:
                return inner(_whole(adapter().core_schema))
            finally:
                active.discard(id(built))

        schema = core_schema.with_info_plain_validator_function(validate)
        schema["metadata"] = {"pydantic_js_functions": [json_schema]}
        return schema


DEFERRED = _Deferred()
