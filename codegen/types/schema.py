"""Schemas of the prepared document to typed references (codegen/ir/typeref.py).

`TypeNamer.annotation` is the one schema -> type function. Resources, the inputs callers pass
(inputs.py) and the builtin model emitter (models/builtin/types.py) all type schemas through it;
they differ only in a `Flavour` (the plain types they spell) and in the hooks below it: what a
component reference, an inline enum or object, and a union become on their side.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..ir.typeref import (
    BOOL,
    BYTES,
    DATE,
    DATETIME,
    FLOAT,
    INT,
    NONE,
    OBJECT,
    STR,
    TypeRef,
    generic,
    list_of,
    literal,
    model,
    or_none,
    union,
)
from ..naming import pascal
from ..spec.load import resolve_pointer

_PRIMITIVES = {"integer": INT, "number": FLOAT, "boolean": BOOL, "null": NONE}
SCHEMA_REF = "#/components/schemas/"


@dataclass(frozen=True)
class Flavour:
    """The plain types one side spells: a response's `object` and `datetime.datetime`, a model
    module's `Any` and `AwareDatetime`."""

    anything: TypeRef  # what cannot be typed more precisely; absorbs a union it joins
    formats: Mapping[str, TypeRef]  # string formats with a richer type than str (binary aside)
    max_depth: int

    @property
    def loose(self) -> TypeRef:
        return generic("dict", STR, self.anything)


RESPONSE = Flavour(OBJECT, {"date-time": DATETIME, "date": DATE}, 20)


@dataclass
class TypeNamer:
    """The one schema -> type function: what a response gives back. InputTypes (inputs.py)
    widens it to what callers may pass; the builtin model emitter names classes through it."""

    document: dict[str, Any]
    loose: list[str] = field(default_factory=list)  # pointers that fell back to a loose type
    flavour: Flavour = RESPONSE

    def resolve(self, schema: Any) -> Any:
        seen = 0
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and seen < 50:
            target = self.resolve_ref(schema["$ref"])
            if target is None:
                return {}
            schema = target
            seen += 1
        return schema

    def resolve_ref(self, ref: str) -> Any:
        """The node a local reference points to; None for a foreign or broken one."""
        if not ref.startswith("#"):
            return None
        try:
            return resolve_pointer(self.document, ref[1:])
        except KeyError:
            return None

    def annotation(self, schema: Any, pointer: str = "", *, hint: str = "", depth: int = 0) -> TypeRef:
        """The type of `schema`; `hint` is the class name an inline enum or object under it would
        take (its parent's name and property), `pointer` where a loose fallback is recorded."""
        if not isinstance(schema, dict) or depth > self.flavour.max_depth:
            return self.flavour.anything
        nullable = schema.get("nullable") is True
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return _or_none(self.reference(ref, pointer, depth), nullable)
        kinds = schema.get("type")
        if isinstance(kinds, list):
            nullable = nullable or "null" in kinds
            rest = [k for k in kinds if k != "null"]
            kinds = rest[0] if len(rest) == 1 else (rest or None)
        base = self._keywords(schema, kinds, pointer, hint, depth)
        if "enum" in schema and "const" not in schema:
            nullable = nullable or None in (schema.get("enum") or [])
        return _or_none(base, nullable)

    def _keywords(self, schema: dict[str, Any], kinds: Any, pointer: str, hint: str, depth: int) -> TypeRef:
        """The type the schema's keywords give."""
        if "const" in schema:
            return self.constant(schema["const"])
        if "enum" in schema:
            found = self.enumeration(schema, hint)
            if found is not None:
                return found
        if "properties" in schema or "allOf" in schema:
            parts = schema.get("allOf")
            if "properties" not in schema and isinstance(parts, list) and len(parts) == 1:
                return self.annotation(parts[0], pointer, hint=hint, depth=depth + 1)
            found = self.inline_object(schema, hint)
            if found is not None:
                return found
        for key in ("oneOf", "anyOf"):
            members = schema.get(key)
            if isinstance(members, list):
                count = len(members)
                parts = [
                    self.annotation(m, pointer, hint=_member_hint(hint, m, i, count), depth=depth + 1)
                    for i, m in enumerate(members)
                ]
                return self.union_of(schema, members, parts)
        if isinstance(kinds, list):
            return union(self._single({**schema, "type": k}, k, pointer, hint, depth) for k in kinds)
        return self._single(schema, kinds, pointer, hint, depth)

    def _single(self, schema: dict[str, Any], kind: Any, pointer: str, hint: str, depth: int) -> TypeRef:
        if kind == "array" or (kind is None and "items" in schema):
            items = schema.get("items")
            if not items:
                return self.array_of(self.flavour.anything)
            return self.array_of(self.annotation(items, pointer, hint=hint + "Item", depth=depth + 1))
        if kind == "string":
            fmt = schema.get("format")
            return self.binary() if fmt == "binary" else self.flavour.formats.get(str(fmt), STR)
        if isinstance(kind, str) and kind in _PRIMITIVES:
            return _PRIMITIVES[kind]
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            return generic("dict", STR, self.annotation(extra, pointer, hint=hint + "Value", depth=depth + 1))
        if kind == "object" or "properties" in schema or extra is not None:
            if schema.get("properties") or "allOf" in schema:
                self.loose.append(pointer)
            return self.flavour.loose
        return self.flavour.anything

    # -- hooks: where the sides differ -------------------------------------------------------

    def reference(self, ref: str, pointer: str, depth: int) -> TypeRef:
        """A `$ref`: a component that is a class is named, any other is typed where it is used."""
        name = component_name(ref)
        if name is None:
            return self.annotation(self.resolve_ref(ref), pointer, depth=depth + 1)
        target = self.resolve({"$ref": ref})
        if is_class_schema(target):
            return _nullable(self.class_reference(name, target), target)
        return self.annotation(target, pointer, hint=name, depth=depth + 1)

    def class_reference(self, name: str, schema: dict[str, Any]) -> TypeRef:
        return model(name)

    def constant(self, value: Any) -> TypeRef:
        if isinstance(value, str | int | bool):
            return literal(value)
        return NONE if value is None else FLOAT if isinstance(value, float) else self.flavour.anything

    def enumeration(self, schema: dict[str, Any], hint: str) -> TypeRef | None:
        """An inline enum: a Literal of its values; None (typed by its other keywords) when a
        value is no string or integer."""
        values = schema["enum"]
        if not isinstance(values, list) or not all(
            isinstance(v, (str, int)) and not isinstance(v, bool) for v in values if v is not None
        ):
            return None
        plain = [v for v in values if v is not None]
        return literal(*plain) if plain else NONE

    def inline_object(self, schema: dict[str, Any], hint: str) -> TypeRef | None:
        """An inline object or allOf; None: typed by its other keywords (a loose dict at most)."""
        return None

    def union_of(self, schema: dict[str, Any], members: list[Any], parts: list[TypeRef]) -> TypeRef:
        return union(parts) if parts else self.flavour.anything

    def array_of(self, item: TypeRef) -> TypeRef:
        return list_of(item)

    def binary(self) -> TypeRef:
        return BYTES


def _or_none(ref: TypeRef, nullable: bool) -> TypeRef:
    return or_none(ref) if nullable else ref


def _nullable(ref: TypeRef, schema: dict[str, Any]) -> TypeRef:
    kinds = schema.get("type")
    return _or_none(ref, schema.get("nullable") is True or (isinstance(kinds, list) and "null" in kinds))


def _member_hint(hint: str, member: Any, index: int, count: int) -> str:
    """The name an inline union member's class takes: its title, else its position."""
    title = member.get("title") if isinstance(member, dict) else None
    if isinstance(title, str) and pascal(title) != "Model":
        return hint + pascal(title)
    return f"{hint}Option{index + 1}" if count > 1 else hint


def component_name(ref: str) -> str | None:
    """The component a `#/components/schemas/X` reference names; None for any other reference."""
    if ref.startswith(SCHEMA_REF) and "/" not in ref[len(SCHEMA_REF) :]:
        return ref[len(SCHEMA_REF) :]
    return None


def referenced_component(ref: str) -> str | None:
    """The component a `#/components/schemas/X` reference names or points into; None for others."""
    return ref[len(SCHEMA_REF) :].split("/", 1)[0] if ref.startswith(SCHEMA_REF) else None


def is_class_schema(schema: Any) -> bool:
    """Whether a component schema becomes a class of its own; anything else is inlined where used."""
    if not isinstance(schema, dict):
        return False
    if "enum" in schema or "allOf" in schema or "properties" in schema:
        return True
    if "oneOf" in schema or "anyOf" in schema:
        return False  # a union: the model generators inline it wherever it is used
    return schema.get("type") == "object" and not isinstance(schema.get("additionalProperties"), dict)
