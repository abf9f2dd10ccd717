"""Schemas of the prepared document to typed references (codegen/ir/typeref.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..ir.typeref import (
    BOOL,
    BYTES,
    DATE,
    DATETIME,
    FLOAT,
    INT,
    LOOSE,
    NONE,
    OBJECT,
    STR,
    TypeRef,
    generic,
    list_of,
    literal,
    model,
    union,
)
from ..spec.load import resolve_pointer

_PRIMITIVES = {"integer": INT, "number": FLOAT, "boolean": BOOL, "string": STR, "null": NONE}


@dataclass
class TypeNamer:
    """The one schema -> type function: what a response gives back. InputTypes (inputs.py)
    widens it to what callers may pass."""

    document: dict[str, Any]
    loose: list[str] = field(default_factory=list)  # pointers that fell back to a loose type

    def resolve(self, schema: Any) -> Any:
        seen = 0
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and seen < 50:
            ref = schema["$ref"]
            if not ref.startswith("#"):
                return {}
            try:
                schema = resolve_pointer(self.document, ref[1:])
            except KeyError:
                return {}
            seen += 1
        return schema

    def annotation(self, schema: Any, pointer: str = "", *, depth: int = 0) -> TypeRef:
        if depth > 20 or not isinstance(schema, dict):
            return OBJECT
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if ref.startswith("#/components/schemas/") and ref.count("/") == 3:
                name = ref.rsplit("/", 1)[1]
                target = self.resolve(schema)
                if is_class_schema(target):
                    return self._nullable(self.class_reference(name, target), target)
                return self.annotation(target, pointer, depth=depth + 1)
            return self.annotation(self.resolve(schema), pointer, depth=depth + 1)
        if "const" in schema:
            const = schema["const"]
            if isinstance(const, str | int | bool):
                return literal(const)
            return NONE if const is None else FLOAT if isinstance(const, float) else OBJECT
        if "enum" in schema and all(
            isinstance(v, (str, int)) and not isinstance(v, bool) for v in schema["enum"] if v is not None
        ):
            values = [v for v in schema["enum"] if v is not None]
            if not values:
                return NONE
            members = literal(*values)
            return union([members, NONE]) if None in schema["enum"] else members
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                return union(self.annotation(s, pointer, depth=depth + 1) for s in schema[key])
        if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
            return self.annotation(schema["allOf"][0], pointer, depth=depth + 1)
        kinds = schema.get("type")
        if isinstance(kinds, list):
            return union(self.annotation({**schema, "type": k}, pointer, depth=depth + 1) for k in kinds)
        base = self._single(schema, kinds, pointer, depth)
        return union([base, NONE]) if schema.get("nullable") is True else base

    def _single(self, schema: dict[str, Any], kind: Any, pointer: str, depth: int) -> TypeRef:
        if kind == "array":
            return self.array_of(self.annotation(schema.get("items", {}), pointer, depth=depth + 1))
        if kind == "string":
            fmt = schema.get("format")
            if fmt == "binary":
                return self.binary()
            return DATETIME if fmt == "date-time" else DATE if fmt == "date" else STR
        if isinstance(kind, str) and kind in _PRIMITIVES:
            return _PRIMITIVES[kind]
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            return generic("dict", STR, self.annotation(extra, pointer, depth=depth + 1))
        if kind == "object" or "properties" in schema or extra is not None:
            if schema.get("properties") or "allOf" in schema:
                self.loose.append(pointer)
            return LOOSE
        return OBJECT

    # Hooks for input types (codegen/types/inputs.py): what callers may pass differs from what they get.
    def class_reference(self, name: str, schema: dict[str, Any]) -> TypeRef:
        return model(name)

    def array_of(self, item: TypeRef) -> TypeRef:
        return list_of(item)

    def binary(self) -> TypeRef:
        return BYTES

    @staticmethod
    def _nullable(ref: TypeRef, schema: dict[str, Any]) -> TypeRef:
        kinds = schema.get("type")
        if schema.get("nullable") is True or (isinstance(kinds, list) and "null" in kinds):
            return union([ref, NONE])
        return ref


def is_class_schema(schema: Any) -> bool:
    """Whether a component schema becomes a class of its own; anything else is inlined where used."""
    if not isinstance(schema, dict):
        return False
    if "enum" in schema or "allOf" in schema or "properties" in schema:
        return True
    if "oneOf" in schema or "anyOf" in schema:
        return False  # a union: the model generators inline it wherever it is used
    return schema.get("type") == "object" and not isinstance(schema.get("additionalProperties"), dict)
