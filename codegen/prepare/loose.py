"""Schema constructs without a precise Python type: a warning each, and a rewrite to a loose type.

Every construct listed in docs/openapi-support.md ("Loose types") is found here, so nothing falls
back silently. Warnings point into the document as written (file, line, JSON pointer); rewrites
apply to the prepared copy handed to the model generator.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..diagnostics import Diagnostic, join_pointer
from ..spec.load import LoadedSpec
from ..spec.structure import HTTP_METHODS
from ..spec.walk import walk, walk_with_pointers

# keyword -> what the client does instead
_IGNORED = {
    "not": "'not' is not checked; the value is typed Any",
    "if": "if/then/else is not checked; the properties keep their own types",
    "prefixItems": "a tuple (prefixItems) is typed list[Any]",
    "patternProperties": "patternProperties are typed as additional properties: dict[str, <value type>]",
    "$dynamicRef": "$dynamicRef is typed Any",
    "dependentSchemas": "dependentSchemas are not checked",
    "unevaluatedProperties": "unevaluatedProperties is not checked",
}


def loose_warnings(spec: LoadedSpec) -> list[Diagnostic]:
    found = [spec.diagnostic(pointer, message, "warning") for pointer, message in _findings(spec.data, spec.noted)]
    return sorted(found, key=lambda d: (d.file, d.line or 0, d.pointer))


def _findings(data: dict[str, Any], noted: list[dict[str, Any]] | None) -> Iterator[tuple[str, str]]:
    """(pointer, message) of each construct without a precise type. `noted`: objects the
    parser saw holding a key such constructs have (LoadedSpec.noted), or None to walk for them."""
    schemas = ((data.get("components") or {}).get("schemas") or {}) if isinstance(data.get("components"), dict) else {}
    roots: list[tuple[Any, str, str]] = [(schemas, "/components/schemas", "schemas")]
    for path, item in (data.get("paths") or {}).items():
        for method in HTTP_METHODS:
            op = item.get(method) if isinstance(item, dict) else None
            if isinstance(op, dict):
                roots.append((op, join_pointer("/paths", path, method), ""))
                if op.get("callbacks"):
                    yield (
                        join_pointer("/paths", path, method, "callbacks"),
                        "callbacks are calls to the client, not from it; no methods are generated for them",
                    )
    if noted is not None and not any(_loose(node) for node in noted):
        return  # no object of the document has one: no walk needed to find where
    for root, where, key in roots:
        # Most documents have none: a walk without pointers tells, and only a root with one is
        # walked again for where they are.
        if any(_loose(node) for node in walk(root, key)):
            for node, pointer in walk_with_pointers(root, where, key):
                for keyword, message in _loose(node):
                    yield join_pointer(pointer, keyword), message


def _loose(node: dict[str, Any]) -> list[tuple[str, str]]:
    """(keyword, what the client does instead) of each construct of the node without a precise type."""
    keys = node.keys()
    if keys.isdisjoint(_SCHEMA_KEYS):  # set operations: this runs on every node of the document
        return []
    found = [] if keys.isdisjoint(_IGNORED) else [(k, message) for k, message in _IGNORED.items() if k in node]
    if "enum" not in node:
        return found
    if _mixed_enum(node.get("enum")):
        found.append(("enum", "an enum mixing value types is typed Any"))
    elif _structured_enum(node.get("enum")):
        found.append(("enum", "an enum of objects or arrays is not checked; typed by its type"))
    return found


_SCHEMA_KEYS = frozenset({"type", "properties", "items", "enum", *_IGNORED})


def _is_schema_like(node: dict[str, Any]) -> bool:
    return not node.keys().isdisjoint(_SCHEMA_KEYS)


def _mixed_enum(values: Any) -> bool:
    if not isinstance(values, list):
        return False
    kinds = {type(v).__name__ for v in values if v is not None}
    return len(kinds) > 1 and kinds != {"int", "float"}


def _structured_enum(values: Any) -> bool:
    """Members that are objects or arrays: no enum class or Literal can hold them."""
    return isinstance(values, list) and any(isinstance(v, dict | list) for v in values)


def relax(current: dict[str, Any]) -> None:
    """Rewrite a node of the prepared schemas the way the warnings above announce."""
    patterns = current.get("patternProperties")
    if isinstance(patterns, dict) and _is_schema_like(current):
        del current["patternProperties"]
        values = [v for v in patterns.values() if isinstance(v, dict)]
        if "additionalProperties" not in current:
            current["additionalProperties"] = values[0] if len(values) == 1 else True
    if _mixed_enum(current.get("enum")):
        del current["enum"]
        current.pop("type", None)
    elif _structured_enum(current.get("enum")):
        del current["enum"]
    # A closed object would reject the fields a server adds later; clients stay tolerant.
    if current.get("additionalProperties") is False:
        del current["additionalProperties"]
