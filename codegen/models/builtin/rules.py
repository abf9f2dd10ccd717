"""The builtin emitter's rules for one schema, field or annotation, apart from its walk
(emitter.py): field and member names, docstrings, discriminator tags, and which bases a class
needs. Types come from types.py."""

from __future__ import annotations

import keyword
import re
from functools import cache
from typing import Any

from ...naming import pascal, snake, unique_name
from ...reserved import FIELD_NAMES
from ...spec.walk import walk
from ...types.schema import component_name, is_class_schema, referenced_component
from .classes import ClassDef, FieldDef


def _referenced_components(schemas: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for node in walk(schemas, "schemas"):
        ref = node.get("$ref")
        if isinstance(ref, str) and (name := referenced_component(ref)) is not None:
            found.add(name)
    return found


def _listed_values(schema: Any) -> list[str]:
    """The tag values a discriminator property allows by itself: its const or its string enum."""
    if not isinstance(schema, dict):
        return []
    values = [schema["const"]] if "const" in schema else schema.get("enum") or []
    return [v for v in values if isinstance(v, str)]


def _is_model_schema(schema: Any) -> bool:
    return is_class_schema(schema) and "enum" not in schema


def _field_name(wire: str, taken: set[str]) -> str:
    """snake_case; `field_` before names that start with no letter (`_links`, `$ref`, `+1`), `_`
    after keywords and reserved names, `_1`, `_2` ... after a name already taken in the class."""
    return unique_name(_attribute_name(wire), taken, lambda base, attempt: f"{base}_{attempt}")


@cache  # a large spec's classes share most property names (GitHub: 37,000 fields)
def _attribute_name(wire: str) -> str:
    # A name already in Python's alphabet keeps its letters (größe), others are spelled in ASCII.
    name = _camel_to_snake(wire) if wire.isidentifier() and not wire.isascii() else snake(wire)
    if not wire[:1].isalpha() or name[0].isdigit():
        name = "field_" + name
    if keyword.iskeyword(name) or name in FIELD_NAMES:
        name += "_"
    return name


def _camel_to_snake(name: str) -> str:
    return re.sub(r"(?<=[^\W_])(?=[A-Z])", "_", name).lower()


def _is_member_name(name: Any) -> bool:
    return isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name) and not name.startswith("_")


def _doc(schema: Any) -> str | None:
    text = schema.get("description") if isinstance(schema, dict) else None
    return text.strip() or None if isinstance(text, str) else None


def _mark_narrowed(fields: list[FieldDef], inherited: dict[str, FieldDef]) -> None:
    for made in fields:
        overridden = inherited.get(made.wire)
        # Compared as printed: that is what a type checker compares.
        made.narrows = overridden is not None and overridden.shown_annotation().text != made.shown_annotation().text


def _without_ancestors(bases: list[str], classes: dict[str, ClassDef]) -> list[str]:
    """Drop a base that another base already derives from: Python refuses such an MRO."""

    def ancestors(name: str) -> set[str]:
        found: set[str] = set()
        stack = list(getattr(classes.get(name), "bases", []))
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(getattr(classes.get(current), "bases", []))
        return found

    every = set().union(*(ancestors(b) for b in bases)) if bases else set()
    return [b for b in bases if b not in every]


def _mapped_class(schemas: dict[str, Any], target: Any) -> str | None:
    if not isinstance(target, str):
        return None
    name = target.rsplit("/", 1)[-1]
    for candidate in (name, pascal(name), pascal(name) + "Model"):
        if candidate in schemas:
            return candidate
    return None


def _declared(schemas: dict[str, Any], name: str, prop: str) -> Any:
    """The schema of property `prop` in component `name` (its own, or from an allOf part)."""
    seen: set[str] = set()
    stack = [schemas.get(name)]
    while stack:
        schema = stack.pop()
        if not isinstance(schema, dict):
            continue
        if prop in (schema.get("properties") or {}):
            return schema["properties"][prop]
        for part in schema.get("allOf") or []:
            ref = part.get("$ref") if isinstance(part, dict) else None
            target = component_name(ref) if isinstance(ref, str) else None
            if target is not None and target not in seen:
                seen.add(target)
                stack.append(schemas.get(target))
            elif target is None:
                stack.append(part)
    return None
