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


def _resolved(annotation: Any) -> Any:
    """`annotation` with every stand-in replaced by the class it stands for."""
    if isinstance(annotation, type) and issubclass(annotation, _StandIn):
        return annotation.resolved()
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is None or not args or origin is Literal:
        return annotation
    if origin is Annotated:
        return annotation.copy_with((_resolved(args[0]),))  # the same metadata around it
    parts = tuple(_resolved(arg) for arg in args)
    if origin is Union or origin is types.UnionType:
        return functools.reduce(operator.or_, parts)
    return origin[parts]


class _Deferred:
    """Marks a field whose annotation names stand-ins (`Annotated[X | None, DEFERRED]`)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: pydantic.GetCoreSchemaHandler) -> CoreSchema:
        del handler  # the real schema is built on first use, from the resolved annotation
        built: dict[str, pydantic.TypeAdapter[Any]] = {}
        plain = _without_stand_ins(source)

        def adapter(kind: str = "full") -> pydantic.TypeAdapter[Any]:
            if kind not in built:  # two threads may both build it; either result is the same
                built[kind] = pydantic.TypeAdapter(_resolved(source) if kind == "full" else plain)
            return built[kind]

        def validate(value: Any, info: core_schema.ValidationInfo) -> Any:
            if plain is not _NOTHING and _holds_no_object(value):
                try:
                    return adapter("plain").validate_python(value, context=info.context)
                except pydantic.ValidationError:
                    pass  # the full annotation's errors name every member the value fails
            return adapter().validate_python(value, context=info.context)

        def json_schema(_: CoreSchema, inner: pydantic.GetJsonSchemaHandler) -> Any:
            # A field of a class this field's schema holds may lead back to it, and each adapter's
            # schema is whole: the field met again inside itself is left open. Its class's
            # definition is written again as the outer generation finishes, complete.
            active = _GENERATING.__dict__.setdefault("fields", set())
            if id(built) in active:
                return {}
            active.add(id(built))
            try:
                return inner(adapter().core_schema)
            finally:
                active.discard(id(built))

        schema = core_schema.with_info_plain_validator_function(validate)
        schema["metadata"] = {"pydantic_js_functions": [json_schema]}
        return schema


DEFERRED = _Deferred()
