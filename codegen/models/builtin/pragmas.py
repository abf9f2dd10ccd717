"""Where pyright's override ignore goes on a field line the builtin emitter writes.

A schema built with allOf from a base may narrow a property: the envelope's `type: string` becomes
`Literal["email.sent", ...]` in the event, an optional field becomes required. pydantic validates
each class by its own annotation, which is what users want to read; pyright's rule that mutable
attributes are invariant flags each such field, and mypy flags the ones whose new type is not a
subtype of the old (another enum class for the same values). The ignores are added per field,
naming the one rule each (mypy's with `unused-ignore`, since it reports only some of them), so
every other check still applies to that line. datamodel-code-generator's fields get the same
layout from templates/models/pydantic_v2/BaseModel.jinja2.
"""

from __future__ import annotations

_IGNORE = "  # type: ignore[assignment, unused-ignore]  # pyright: ignore[reportIncompatibleVariableOverride]"
_LINE_LENGTH = 120  # codegen/ruff.toml


def with_override_ignore(line: str) -> str:
    """The ignore must stay on the line pyright reports (the field name) after ruff formats it.

    ruff leaves a trailing pragma alone on a statement that fits; one that it will split keeps a
    comment placed right after the annotation's opening bracket on that first line.
    """
    body = line.rstrip("\n")
    if "# pyright: ignore" in body:
        return line
    if len(body) <= _LINE_LENGTH:
        return body + _IGNORE + line[len(body) :]
    colon = body.find(":")
    bracket = min((i for i in (body.find("[", colon), body.find("(", colon)) if i > colon), default=-1)
    if bracket < 0:
        return body + _IGNORE + line[len(body) :]
    indent = body[: len(body) - len(body.lstrip())]
    return body[: bracket + 1] + _IGNORE + "\n" + indent + "    " + body[bracket + 1 :].lstrip() + line[len(body) :]
