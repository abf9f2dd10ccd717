"""Python annotations for schemas, as strings that are also valid runtime expressions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .spec.load import resolve_pointer

_PRIMITIVES = {"integer": "int", "number": "float", "boolean": "bool", "string": "str", "null": "None"}
LOOSE = "dict[str, object]"  # documented fallback for what cannot be typed precisely


@dataclass
class TypeNamer:
    """Maps schemas of the prepared document to annotations."""

    document: dict[str, Any]
    used_models: set[str] = field(default_factory=set)
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

    def annotation(self, schema: Any, pointer: str = "", *, depth: int = 0) -> str:
        if depth > 20 or not isinstance(schema, dict):
            return "object"
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if ref.startswith("#/components/schemas/") and ref.count("/") == 3:
                name = ref.rsplit("/", 1)[1]
                target = self.resolve(schema)
                if is_class_schema(target):
                    self.used_models.add(name)
                    return self._nullable(self.class_reference(name, target), target)
                return self.annotation(target, pointer, depth=depth + 1)
            return self.annotation(self.resolve(schema), pointer, depth=depth + 1)
        if "const" in schema:
            return f"Literal[{schema['const']!r}]"
        if "enum" in schema and all(
            isinstance(v, (str, int)) and not isinstance(v, bool) for v in schema["enum"] if v is not None
        ):
            values = [v for v in schema["enum"] if v is not None]
            if not values:
                return "None"
            literal = f"Literal[{', '.join(repr(v) for v in values)}]"
            return f"{literal} | None" if None in schema["enum"] else literal
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                parts = [self.annotation(s, pointer, depth=depth + 1) for s in schema[key]]
                return _union(parts)
        if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
            return self.annotation(schema["allOf"][0], pointer, depth=depth + 1)
        kinds = schema.get("type")
        if isinstance(kinds, list):
            parts = [self.annotation({**schema, "type": k}, pointer, depth=depth + 1) for k in kinds]
            return _union(parts)
        nullable = schema.get("nullable") is True
        base = self._single(schema, kinds, pointer, depth)
        return _union([base, "None"]) if nullable else base

    def _single(self, schema: dict[str, Any], kind: Any, pointer: str, depth: int) -> str:
        if kind == "array":
            return self.array_of(self.annotation(schema.get("items", {}), pointer, depth=depth + 1))
        if kind == "string":
            fmt = schema.get("format")
            if fmt == "binary":
                return self.binary()
            if fmt == "date-time":
                return "datetime.datetime"
            if fmt == "date":
                return "datetime.date"
            return "str"
        if kind in _PRIMITIVES:
            return _PRIMITIVES[kind]
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            return f"dict[str, {self.annotation(extra, pointer, depth=depth + 1)}]"
        if kind == "object" or "properties" in schema or extra is not None:
            if schema.get("properties") or "allOf" in schema:
                self.loose.append(pointer)
            return LOOSE
        return "object"

    # Hooks for input types (codegen/inputs.py): what callers may pass differs from what they get.
    def class_reference(self, name: str, schema: dict[str, Any]) -> str:
        return name

    def array_of(self, item: str) -> str:
        return f"list[{item}]"

    def binary(self) -> str:
        return "bytes"

    @staticmethod
    def _nullable(name: str, schema: dict[str, Any]) -> str:
        kinds = schema.get("type")
        if schema.get("nullable") is True or (isinstance(kinds, list) and "null" in kinds):
            return f"{name} | None"
        return name


def is_class_schema(schema: Any) -> bool:
    """Whether a component schema becomes a class of its own; anything else is inlined where used."""
    if not isinstance(schema, dict):
        return False
    if "enum" in schema or "allOf" in schema or "properties" in schema:
        return True
    if "oneOf" in schema or "anyOf" in schema:
        return False  # a union: the model generators inline it wherever it is used
    return schema.get("type") == "object" and not isinstance(schema.get("additionalProperties"), dict)


def _union(parts: list[str]) -> str:
    flat: list[str] = []
    for part in parts:
        for piece in part.split(" | ") if "[" not in part else [part]:
            if piece not in flat:
                flat.append(piece)
    if "object" in flat:
        return "object"
    # None last reads best and is what type checkers print.
    flat.sort(key=lambda p: p == "None")
    return " | ".join(flat)
