"""The copy of the document that later stages work on, without what none of them reads.

Examples are most of a large real-world spec (7 of GitHub's 13 MB); copying them doubled the
generator's memory for nothing. Schema-level `example`/`examples` stay: models show them.
Descriptions lose trailing spaces on their lines: in a docstring those fail the output's lint.
Per-member enum descriptions (`x-enum-descriptions`) go too: datamodel-code-generator writes them
into the class body as bare text, which does not parse.
"""

from __future__ import annotations

from typing import Any

# Keys whose values are examples outside schemas: media types, parameters, headers, components.
_EXAMPLE_HOLDERS = ("content", "parameters", "headers")
_ENUM_DESCRIPTIONS = frozenset({"x-enum-descriptions", "x-enumDescriptions"})


def copy_without_examples(data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = _copy(data, in_schema=False)
    components = result.get("components")
    if isinstance(components, dict):
        components.pop("examples", None)
    return result


def _copy(node: Any, *, in_schema: bool) -> Any:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if not in_schema and key in ("example", "examples") and _is_example_value(node):
                continue
            if key in _ENUM_DESCRIPTIONS and "enum" in node:
                continue
            if key == "description" and isinstance(value, str):
                out[key] = "\n".join(line.rstrip() for line in value.splitlines()).strip()
                continue
            out[key] = _copy(value, in_schema=in_schema or key in ("schema", "schemas"))
        return out
    if isinstance(node, list):
        return [_copy(v, in_schema=in_schema) for v in node]
    return node


def _is_example_value(holder: dict[str, Any]) -> bool:
    """A media type, parameter or header object holds examples; a mapping of names does not."""
    return "schema" in holder or "content" in holder or "in" in holder
