"""Name the inline members of component unions (oneOf/anyOf), so resources can refer to them.

The model generator inlines a union schema into every use (collapse_root_models) and names its
inline members itself, with counters that depend on the whole document. Resource methods need names
they can import, so inline object members become components first, named after what tells them
apart: the discriminator value, the title, or their position.
"""

from __future__ import annotations

from typing import Any

from ..naming import numbered, pascal, unique_name


def hoist_union_members(schemas: dict[str, Any], reserved: frozenset[str], origins: dict[str, str]) -> None:
    for name in list(schemas):
        schema = schemas[name]
        if not isinstance(schema, dict) or "properties" in schema or "allOf" in schema:
            continue
        for key in ("oneOf", "anyOf"):
            members = schema.get(key)
            if not isinstance(members, list):
                continue
            prop = (
                (schema.get("discriminator") or {}).get("propertyName")
                if isinstance(schema.get("discriminator"), dict)
                else None
            )
            for i, member in enumerate(members):
                if _is_inline_object(member):
                    wanted = _member_name(name, member, prop, i)
                    hoisted = _free(wanted, schemas, reserved, member)
                    members[i] = {"$ref": "#/components/schemas/" + hoisted}
                    if name in origins:
                        origins[hoisted] = f"{origins[name]}/{key}/{i}"


def hoist_array_items(schemas: dict[str, Any], reserved: frozenset[str], origins: dict[str, str]) -> None:
    """A component that is an array of inline objects: the item class gets the name {Name}Item."""
    for name in list(schemas):
        schema = schemas[name]
        if isinstance(schema, dict) and schema.get("type") == "array" and _is_inline_object(schema.get("items")):
            hoisted = _free(name + "Item", schemas, reserved, schema["items"])
            schema["items"] = {"$ref": "#/components/schemas/" + hoisted}
            if name in origins:
                origins[hoisted] = origins[name] + "/items"


def _is_inline_object(schema: Any) -> bool:
    return isinstance(schema, dict) and "$ref" not in schema and ("properties" in schema or "allOf" in schema)


def _member_name(parent: str, member: dict[str, Any], prop: str | None, index: int) -> str:
    tag = ((member.get("properties") or {}).get(prop) or {}) if prop else {}
    if isinstance(tag, dict):
        values = tag.get("enum") or ([tag["const"]] if "const" in tag else [])
        if len(values) == 1 and isinstance(values[0], str) and pascal(values[0]) != "Model":
            return parent + pascal(values[0])
    title = member.get("title")
    if isinstance(title, str) and pascal(title) not in ("Model", parent):
        return parent + pascal(title) if not pascal(title).startswith(parent) else pascal(title)
    return f"{parent}Option{index + 1}"


def _free(wanted: str, schemas: dict[str, Any], reserved: frozenset[str], member: dict[str, Any]) -> str:
    name = unique_name(wanted, schemas.keys() | reserved, numbered)
    schemas[name] = member
    return name
