"""What callers may pass: the fields of an object request body as keyword arguments, their input
types, and the TypedDicts that let type checkers verify nested dicts.

Input types are wider than the models a response gives back: a nested object takes its model or a
TypedDict of the same shape whose keys are the wire names (the dict goes out as written, so no
key is ever translated, and a misspelt key is a type error); an enum takes its member or the plain
value; an array takes any sequence; a file field takes bytes, a path, an open file or a
(filename, content, content type) tuple.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import join_pointer
from ..ir.nodes import BodyField, InputDict
from ..ir.typeref import FILE_INPUT, TypeRef, literal, model, named, sequence_of, union
from ..naming import parameter_name, snake, unique_name
from ..reserved import CALL_OPTIONS
from .schema import TypeNamer, is_class_schema

_SCHEMAS = "#/components/schemas/"


@dataclass
class InputTypes(TypeNamer):
    """Annotations of input types; records every TypedDict the annotations name."""

    model_names: frozenset[str] = frozenset()
    # class name -> pointer of its schema in the document as written, for warnings that point into it
    origins: dict[str, str] = field(default_factory=dict)
    wanted: dict[str, str] = field(default_factory=dict)  # model name -> TypedDict name

    def class_reference(self, name: str, schema: dict[str, Any]) -> TypeRef:
        values = schema.get("enum")
        plain = [v for v in values if v is not None] if isinstance(values, list) else []
        if plain and all(_plain(v) for v in plain):
            return union([model(name), literal(*plain)])
        if _object_like(schema):
            return union([model(name), named(self.dict_name(name), "input")])
        return model(name)

    def array_of(self, item: TypeRef) -> TypeRef:
        return sequence_of(item)

    def binary(self) -> TypeRef:
        return FILE_INPUT

    def dict_name(self, model: str) -> str:
        name = self.wanted.get(model)
        if name is None:
            name = unique_name(f"{model}Param", self.model_names | set(self.wanted.values()))
            self.wanted[model] = name
        return name

    def typed_dicts(self) -> tuple[InputDict, ...]:
        """The TypedDicts named so far and every one they need in turn, in a stable order."""
        done: dict[str, InputDict] = {}
        while len(done) < len(self.wanted):
            for model_name, name in list(self.wanted.items()):
                if model_name in done:
                    continue
                schema = self.resolve({"$ref": _SCHEMAS + model_name})
                fields = object_fields(self, schema)
                where = self.origins.get(model_name) or join_pointer("/components/schemas", model_name)
                items = tuple(
                    (wire, self.annotation(sub, join_pointer(where, "properties", wire)), required)
                    for wire, sub, required in (fields or [])
                )
                description = str(schema.get("description") or "") if isinstance(schema, dict) else ""
                done[model_name] = InputDict(
                    name=name, model=model_name, fields=items, open=fields is None, doc=description
                )
        return tuple(sorted(done.values(), key=lambda d: d.name))


def _plain(value: object) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)


def _object_like(schema: dict[str, Any]) -> bool:
    return is_class_schema(schema) and "enum" not in schema


def object_fields(namer: TypeNamer, schema: Any, depth: int = 0) -> list[tuple[str, Any, bool]] | None:
    """(wire name, schema, required) of a plain object's properties, allOf members merged; None
    when it is no plain object (a union at the top, only additionalProperties, no properties)."""
    schema = namer.resolve(schema)
    if not isinstance(schema, dict) or depth > 10 or "oneOf" in schema or "anyOf" in schema:
        return None
    merged: dict[str, tuple[Any, bool]] = {}
    required = set(schema.get("required") or []) if isinstance(schema.get("required"), list) else set()
    for member in schema.get("allOf") or []:
        inner = object_fields(namer, member, depth + 1)
        if inner is None:
            return None
        for wire, sub, needed in inner:
            merged[wire] = (sub, needed or merged.get(wire, (None, False))[1])
    properties = schema.get("properties")
    if isinstance(properties, dict):
        for wire, sub in properties.items():
            merged[str(wire)] = (sub, str(wire) in required)
    for wire in required:
        if wire in merged:
            merged[wire] = (merged[wire][0], True)
    if not merged:
        return None
    return [(wire, sub, needed) for wire, (sub, needed) in merged.items()]


def body_fields(namer: InputTypes, schema: Any, pointer: str, taken: set[str]) -> tuple[BodyField, ...] | None:
    """Keyword arguments for an object body, or None to keep a single `body` parameter. A field
    whose name is taken by a parameter or a per-call option gets a `body_` prefix."""
    fields = object_fields(namer, schema)
    if fields is None:
        return None
    out: list[BodyField] = []
    used = set(taken) | set(CALL_OPTIONS)
    for wire, sub, required in fields:
        name = parameter_name(snake(wire) or "field")
        renamed = name in used
        if renamed:
            name = parameter_name(f"body_{name}")
        name = unique_name(name, used)
        used.add(name)
        resolved = namer.resolve(sub)
        description = str(resolved.get("description") or "") if isinstance(resolved, dict) else ""
        annotation = namer.annotation(sub, f"{pointer}/properties/{wire}")
        out.append(BodyField(name, wire, annotation, required, description, renamed))
    # Required ones first: the signature reads in the order users must fill it.
    out.sort(key=lambda f: not f.required)
    return tuple(out)
