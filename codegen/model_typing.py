"""Make the generated models read right to users' type checkers (mypy, pyright).

Type checkers see a pydantic model through dataclass_transform: the constructor takes each field
under its `alias` when there is one, and a field is optional only when its default is given as
`default=` (the model generator is asked for that in models.py). Users write Python names
(`ContactCreateRequest(first_name=...)`), so wire names go into `validation_alias` (accepted when
parsing, besides the Python name) and `serialization_alias` (used when sending), which type
checkers ignore.

A schema built with allOf from a base may also narrow a property: the envelope's `type: string`
becomes `Literal["email.sent", ...]` in the event, an optional field becomes required. pydantic
validates each class by its own annotation, which is what users want to read; pyright's rule that
mutable attributes are invariant flags each such field. The ignore is added per field, naming the
one rule, so every other check still applies to that line.
"""

from __future__ import annotations

import ast
import re

_IGNORE = "  # pyright: ignore[reportIncompatibleVariableOverride]"
_LINE_LENGTH = 120  # codegen/ruff.toml


# Before ruff formats the module, the model generator's strings may use either quote.
# Escapes inside the literal are part of it: a wire name may hold both kinds of quote.
_ALIAS = re.compile(r"""(?<=[(,\s])alias=("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')""")


def typing_friendly(code: str) -> str:
    return mark_narrowed_overrides(split_aliases(code))


def split_aliases(code: str) -> str:
    """`Field(alias="firstName")` -> `Field(validation_alias="firstName", serialization_alias="firstName")`."""
    return _ALIAS.sub(r"validation_alias=\1, serialization_alias=\1", code)


def mark_narrowed_overrides(code: str) -> str:
    tree = ast.parse(code)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    fields = {name: _fields(node) for name, node in classes.items()}
    lines = code.splitlines(keepends=True)
    marked: set[int] = set()
    for name, node in classes.items():
        inherited = _inherited(name, classes, fields)
        for stmt in node.body:
            if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
                continue
            base_annotation = inherited.get(stmt.target.id)
            if base_annotation is not None and base_annotation != ast.unparse(stmt.annotation):
                marked.add(stmt.lineno - 1)
    for index in marked:
        lines[index] = with_override_ignore(lines[index])
    return "".join(lines)


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


def _fields(node: ast.ClassDef) -> dict[str, str]:
    return {
        stmt.target.id: ast.unparse(stmt.annotation)
        for stmt in node.body
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
    }


def _inherited(name: str, classes: dict[str, ast.ClassDef], fields: dict[str, dict[str, str]]) -> dict[str, str]:
    """Fields of every generated ancestor, the nearest definition winning."""
    out: dict[str, str] = {}
    seen: set[str] = set()
    queue = [b.id for b in classes[name].bases if isinstance(b, ast.Name)]
    while queue:
        base = queue.pop(0)
        if base in seen or base not in classes:
            continue
        seen.add(base)
        for field, annotation in fields[base].items():
            out.setdefault(field, annotation)
        queue.extend(b.id for b in classes[base].bases if isinstance(b, ast.Name))
    return out
