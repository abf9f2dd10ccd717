"""The builtin emitter's side of the one schema -> type function (codegen/types/schema.py).

Models spell `Any` and `AwareDatetime` where resources say `object` and `datetime.datetime`; an
inline enum or object becomes a class named after its parent and property (`RepoOwner`); a
component that is no class is typed where it is used, once (its type is kept), unless it refers
to itself, which only a class can; a union whose members all declare the discriminator property
becomes `Annotated[A | B, Field(discriminator=...)]`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...ir.typeref import (
    ANY,
    AWARE_DATETIME,
    DATE_ALIASED,
    NONE,
    SECRET_STR,
    TIME_ALIASED,
    TypeRef,
    discriminated,
    model,
)
from ...types.schema import Flavour, TypeNamer, component_name, is_class_schema
from .classes import RootClass
from .rules import _declared, _doc, _field_name, _is_model_schema, _listed_values, _mapped_class

if TYPE_CHECKING:
    from .emitter import Emitter

# date and time are imported under other names so that fields may be called date and time.
MODELS = Flavour(
    ANY,
    {"date-time": AWARE_DATETIME, "date": DATE_ALIASED, "time": TIME_ALIASED, "password": SECRET_STR},
    60,
)


@dataclass
class ModelTypes(TypeNamer):
    emitter: Emitter = field(kw_only=True)  # where inline and self-referring classes go
    flavour: Flavour = MODELS
    # non-class component -> its type where used (the classes it names are read off it)
    aliases: dict[str, TypeRef] = field(default_factory=dict)
    _aliasing: set[str] = field(default_factory=set)
    _self_referring: set[str] = field(default_factory=set)
    tags: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # class -> property -> values

    def reference(self, ref: str, pointer: str, depth: int) -> TypeRef:
        name = component_name(ref)
        if name is None:
            return self.annotation(self.resolve_ref(ref), depth=depth + 1)
        schemas = self.emitter.schemas
        schema = schemas[name]
        if is_class_schema(schema):
            return model(name)
        if name in self.aliases:
            return self.aliases[name]
        if name in self._aliasing:
            self._self_referring.add(name)
            return model(name)
        self._aliasing.add(name)
        annotation = self.annotation(schema, hint=name, depth=depth + 1)
        self._aliasing.discard(name)
        if name in self._self_referring:
            self.emitter.classes[name] = RootClass(name, annotation, _doc(schema), annotation.names("model"))
            annotation = model(name)
        self.aliases[name] = annotation
        return annotation

    def constant(self, value: Any) -> TypeRef:
        return super().constant(value) if value is None or isinstance(value, str | int | bool) else ANY

    def enumeration(self, schema: dict[str, Any], hint: str) -> TypeRef:
        if not [v for v in schema.get("enum") or [] if v is not None]:
            return NONE
        name = self.emitter.free_name(hint)
        self.emitter.classes[name] = self.emitter.enum_class(name, schema)
        return model(name)

    def inline_object(self, schema: dict[str, Any], hint: str) -> TypeRef:
        name = self.emitter.free_name(hint)
        self.emitter.classes[name] = self.emitter.model_class(name, schema)
        return model(name)

    def union_of(self, schema: dict[str, Any], members: list[Any], parts: list[TypeRef]) -> TypeRef:
        return self._discriminated(schema, members) or super().union_of(schema, members, parts)

    def _discriminated(self, schema: dict[str, Any], members: list[Any]) -> TypeRef | None:
        """The discriminated union when every member is an object class that declares the tag
        property; the tag fields become Literals of their values (pydantic needs that). Otherwise
        None, and the union is left to pydantic's smart matching."""
        found = schema.get("discriminator")
        prop = found.get("propertyName") if isinstance(found, dict) else None
        if not isinstance(prop, str) or not isinstance(found, dict):
            return None
        schemas = self.emitter.schemas
        names: list[str] = []
        for member in members:
            ref = member.get("$ref") if isinstance(member, dict) else None
            name = component_name(ref) if isinstance(ref, str) else None
            if name is None or not _is_model_schema(schemas.get(name)) or _declared(schemas, name, prop) is None:
                return None
            if name not in names:
                names.append(name)
        if len(names) < 2:
            return None
        values: dict[str, list[str]] = {name: [] for name in names}
        mapping = found.get("mapping")
        for value, target in (mapping if isinstance(mapping, dict) else {}).items():
            name = _mapped_class(schemas, target)
            if name in values and isinstance(value, str):
                values[name].append(value)
        for name in names:
            values[name] = values[name] or _listed_values(_declared(schemas, name, prop)) or [name]
        every = [v for vs in values.values() for v in vs]
        if len(every) != len(set(every)):
            return None
        for name, tags in values.items():
            known = self.tags.setdefault(name, {}).setdefault(prop, [])
            known.extend(t for t in tags if t not in known)
        return discriminated(_field_name(prop, set()), [model(n) for n in names])
