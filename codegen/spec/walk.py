"""The one walk over an OpenAPI document: every object node, never the data inside it.

Examples, defaults, enums and consts are data: a "$ref" or a "pattern" key there is part of a
value, not of the document. Keys of a mapping of names (`properties`, `schemas`, `responses`, ...)
are names, so a property called "example" or "default" is walked like any other. The walk is
iterative (deep documents must not overflow the stack) and goes in document order; a visitor may
change the node it is given before the walk goes on to that node's children. `rebuild` is the
same walk making a copy (the prepared document, bundled external files).

One traversal is not this walk on purpose: the structural schema check (`structure.py`) follows
schema keywords only, because it must report a subschema that is not a mapping, which a walk over
object nodes never meets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..diagnostics import join_pointer

# Mappings whose keys are names (a property may be called "example"), not OpenAPI keywords.
NAME_MAPS = frozenset(
    {
        "properties",
        "patternProperties",
        "$defs",
        "definitions",
        "schemas",
        "parameters",
        "responses",
        "headers",
        "content",
        "links",
        "callbacks",
        "securitySchemes",
        "requestBodies",
        "paths",
        "webhooks",
        "pathItems",
        "encoding",
        "mapping",
        "examples",
    }
)
_LITERAL_KEYS = frozenset({"example", "default", "enum", "const"})


def is_literal(key: Any, value: Any, parent_key: str) -> bool:
    """Values that are data, where a "$ref" key is just data too: examples, defaults, enums, an
    Example Object's `value` and a schema's list of `examples`."""
    if key in _LITERAL_KEYS or (key == "examples" and isinstance(value, list)):
        return True
    return key == "value" and parent_key == "__example__"


def child_key(key: str, parent_key: str) -> str:
    """The context of a value: its key, unless that key is a name (a property called "content"
    is a schema, not a content map). Entries of an `examples` map are Example Objects."""
    if parent_key == "examples":
        return "__example__"
    return "" if parent_key in NAME_MAPS else key


def children(node: dict[str, Any], key: str) -> Iterator[tuple[str, Any, str]]:
    """(key, value, key context for the value) of the node's entries the walk enters."""
    names = key in NAME_MAPS
    for k, v in node.items():
        if isinstance(v, dict | list) and (names or not is_literal(k, v, key)):
            yield str(k), v, child_key(str(k), key)


def walk(root: Any, key: str = "") -> Iterator[dict[str, Any]]:
    """Every object node under root, root first; a mapping of names is not a node itself, its
    values are. `key` is the key root sits under in its parent ("schemas" for the components'
    schema map), which tells names from keywords."""
    stack: list[tuple[Any, str]] = [(root, key)]
    while stack:
        node, context = stack.pop()
        if isinstance(node, list):
            stack.extend((v, "") for v in reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        if context not in NAME_MAPS:
            yield node
        stack.extend((v, ck) for _, v, ck in reversed(list(children(node, context))))


def walk_with_pointers(root: Any, pointer: str = "", key: str = "") -> Iterator[tuple[dict[str, Any], str]]:
    """walk(), with each node's JSON pointer (pointer being root's)."""
    stack: list[tuple[Any, str, str]] = [(root, pointer, key)]
    while stack:
        node, where, context = stack.pop()
        if isinstance(node, list):
            stack.extend((v, join_pointer(where, i), "") for i, v in reversed(list(enumerate(node))))
            continue
        if not isinstance(node, dict):
            continue
        if context not in NAME_MAPS:
            yield node, where
        stack.extend((v, join_pointer(where, k), ck) for k, v, ck in reversed(list(children(node, context))))


@dataclass(frozen=True)
class Finished:
    """What an edit returns for a node it has copied in full itself: it stands as it is."""

    value: Any


Edit = Callable[[dict[str, Any], str, str | None], "dict[str, Any] | Finished"]


def rebuild(root: Any, edit: Edit, key: str = "", pointer: str | None = None) -> Any:
    """A copy of root along the walk: each object node becomes edit(node, key context, pointer),
    a new mapping whose entries the walk enters are then copied the same way; lists and mappings
    of names are copied as met. Literal values (examples, defaults, enums) are data nobody edits:
    they are shared, not copied. Pointers cost a join per node, so edit gets None for them unless
    the caller passes root's pointer."""
    if not isinstance(root, dict | list):
        return root
    track = pointer is not None
    holder: list[Any] = [None]
    stack: list[tuple[Any, str, str, Any, Any]] = [(root, key, pointer or "", holder, 0)]
    while stack:
        node, context, where, parent, slot = stack.pop()
        if isinstance(node, list):
            items = list(node)
            parent[slot] = items
            entries = [(v, "", join_pointer(where, i) if track else "", items, i) for i, v in enumerate(node)]
            stack.extend(e for e in reversed(entries) if isinstance(e[0], dict | list))
            continue
        copied = dict(node) if context in NAME_MAPS else edit(node, context, where if track else None)
        if isinstance(copied, Finished):
            parent[slot] = copied.value
            continue
        parent[slot] = copied
        # Reversed, so that nodes are handed to edit in document order, as walk() yields them.
        stack.extend(
            reversed(
                [(v, ck, join_pointer(where, k) if track else "", copied, k) for k, v, ck in children(copied, context)]
            )
        )
    return holder[0]
