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


_CONTAINER = (dict, list)


def _entered(node: dict[str, Any], context: str) -> list[tuple[Any, Any]]:
    """(key, value) of an object node's entries the walk enters, in reverse document order: not
    the data of examples, defaults, enums and consts, a schema's list of `examples`, or an Example
    Object's `value`. Inlined in one comprehension: the walks visit every node of a document
    several times a run."""
    example = context == "__example__"
    return [
        (k, v)
        for k, v in reversed(node.items())
        if isinstance(v, _CONTAINER)
        and k not in _LITERAL_KEYS
        and not (k == "examples" and isinstance(v, list))
        and not (example and k == "value")
    ]


def walk(root: Any, key: str = "") -> Iterator[dict[str, Any]]:
    """Every object node under root, root first; a mapping of names is not a node itself, its
    values are. `key` is the key root sits under in its parent ("schemas" for the components'
    schema map), which tells names from keywords."""
    stack: list[tuple[Any, Any]] = [(root, key)]
    pop, extend, names = stack.pop, stack.extend, NAME_MAPS
    while stack:
        node, context = pop()
        if isinstance(node, list):
            extend([(v, "") for v in reversed(node) if isinstance(v, _CONTAINER)])
        elif not isinstance(node, dict):
            continue
        elif context in names:
            inner = "__example__" if context == "examples" else ""
            extend([(v, inner) for v in reversed(node.values()) if isinstance(v, _CONTAINER)])
        else:
            yield node
            extend([(v, str(k)) for k, v in _entered(node, context)])


def walk_with_pointers(root: Any, pointer: str = "", key: str = "") -> Iterator[tuple[dict[str, Any], str]]:
    """walk(), with each node's JSON pointer (pointer being root's)."""
    stack: list[tuple[Any, str, Any]] = [(root, pointer, key)]
    pop, extend, names = stack.pop, stack.extend, NAME_MAPS
    while stack:
        node, where, context = pop()
        if isinstance(node, list):
            count = len(node)
            extend(
                [(v, f"{where}/{count - 1 - i}", "") for i, v in enumerate(reversed(node)) if isinstance(v, _CONTAINER)]
            )
        elif not isinstance(node, dict):
            continue
        elif context in names:
            inner = "__example__" if context == "examples" else ""
            extend([(v, _join(where, k), inner) for k, v in reversed(node.items()) if isinstance(v, _CONTAINER)])
        else:
            yield node, where
            extend([(v, _join(where, k), str(k)) for k, v in _entered(node, context)])


def _join(pointer: str, key: Any) -> str:
    token = str(key)
    if "~" in token or "/" in token:
        return join_pointer(pointer, token)
    return pointer + "/" + token


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
    stack: list[tuple[Any, Any, str, Any, Any]] = [(root, key, pointer or "", holder, 0)]
    pop, extend, names = stack.pop, stack.extend, NAME_MAPS
    while stack:
        node, context, where, parent, slot = pop()
        if isinstance(node, list):
            items = list(node)
            parent[slot] = items
            count = len(items)
            extend(
                [
                    (v, "", f"{where}/{count - 1 - i}" if track else "", items, count - 1 - i)
                    for i, v in enumerate(reversed(items))
                    if isinstance(v, _CONTAINER)
                ]
            )
            continue
        if context in names:
            copied = dict(node)
            parent[slot] = copied
            inner = "__example__" if context == "examples" else ""
            extend(
                [
                    (v, inner, _join(where, k) if track else "", copied, k)
                    for k, v in reversed(copied.items())
                    if isinstance(v, _CONTAINER)
                ]
            )
            continue
        edited = edit(node, context, where if track else None)
        if isinstance(edited, Finished):
            parent[slot] = edited.value
            continue
        parent[slot] = edited
        # Reversed, so that nodes are handed to edit in document order, as walk() yields them.
        extend([(v, str(k), _join(where, k) if track else "", edited, k) for k, v in _entered(edited, context)])
    return holder[0]
