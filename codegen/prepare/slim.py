"""The copy of the document that later stages work on, without what none of them reads.

Examples are most of a large real-world spec (7 of GitHub's 13 MB); copying them doubled the
generator's memory for nothing. Schema-level `example`/`examples` stay: models show them.
Descriptions lose trailing spaces on their lines: in a docstring those fail the output's lint.
Per-member enum descriptions (`x-enum-descriptions`) go too: datamodel-code-generator writes them
into the class body as bare text, which does not parse. So does `nullable: false`, which says what
an absent `nullable` says: datamodel-code-generator (strict about nullability) types an optional
field so marked as never None yet defaults it to None, which a type checker rejects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..spec.walk import rebuild, walk

_EXAMPLE_KEYS = frozenset({"example", "examples"})
_ENUM_DESCRIPTIONS = frozenset({"x-enum-descriptions", "x-enumDescriptions"})


def copy_without_examples(data: dict[str, Any], then: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """The copy; `then` edits each copied node in place before the copy goes on to its children
    (so the copy is the one walk over the document that edits need)."""
    if then is None:
        result: dict[str, Any] = rebuild(data, _slim_node)
    else:

        def slimmed_then(node: dict[str, Any], _context: str, _pointer: str | None) -> dict[str, Any]:
            out = slim_node(node)
            then(out)
            return out

        result = rebuild(data, slimmed_then)
    components = result.get("components")
    if isinstance(components, dict):
        components.pop("examples", None)
    return result


def slim_in_place(data: dict[str, Any], then: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """What copy_without_examples gives, made of the document itself: for a process that needs
    only the prepared document, a third cheaper than the copy."""
    for node in walk(data):  # each node before its children, which it may change
        for key in _left_out(node):
            del node[key]
        description = node.get("description")
        if isinstance(description, str):
            node["description"] = _trimmed(description)
        then(node)
    components = data.get("components")
    if isinstance(components, dict):
        components.pop("examples", None)
    return data


def _left_out(node: dict[str, Any]) -> list[str]:
    """The keys of one node that the prepared document leaves out."""
    dropped: list[str] = []
    # A media type, parameter or header object holds examples; a schema never has these keys.
    if ("schema" in node or "content" in node or "in" in node) and not _EXAMPLE_KEYS.isdisjoint(node):
        dropped += _EXAMPLE_KEYS & node.keys()
    if "enum" in node and not _ENUM_DESCRIPTIONS.isdisjoint(node):
        dropped += _ENUM_DESCRIPTIONS & node.keys()
    if node.get("nullable") is False:
        dropped.append("nullable")
    return dropped


def _trimmed(description: str) -> str:
    return "\n".join(line.rstrip() for line in description.splitlines()).strip()


def _slim_node(node: dict[str, Any], _context: str, _pointer: str | None) -> dict[str, Any]:
    return slim_node(node)


def slim_node(node: dict[str, Any]) -> dict[str, Any]:
    """A copy of one node without what the copy leaves out (its children are not copied)."""
    dropped = _left_out(node)
    out = {key: value for key, value in node.items() if key not in dropped} if dropped else dict(node)
    description = out.get("description")
    if isinstance(description, str):
        out["description"] = _trimmed(description)
    return out
