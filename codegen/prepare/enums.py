"""Enum member names decided here, handed to the model generator as `x-enum-varnames`.

Left to itself the model generator names colliding members inconsistently (`ACTIVE`, `active_1`),
keeps non-ASCII letters and prefixes numbers with the type (`INTEGER_1`). Here every member is an
upper-case ASCII identifier; values that fold to the same name get _2, _3, ... in spec order.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from ..naming import numbered_after_underscore, unique_name, words

_DIGITS_THEN_LETTERS = re.compile(r"(?<=[0-9])(?=[A-Z])")

# Values with no letters or digits still deserve a readable name.
_SYMBOLS = {
    "": "EMPTY",
    "-": "MINUS",
    "+": "PLUS",
    "*": "STAR",
    "/": "SLASH",
    ".": "DOT",
    "_": "UNDERSCORE",
    "=": "EQUALS",
    "<": "LT",
    ">": "GT",
    "<=": "LE",
    ">=": "GE",
    "!=": "NE",
    "~": "TILDE",
}


def member_names(values: list[Any]) -> list[str]:
    names: list[str] = []
    taken: set[str] = set()
    for value in values:
        base = _member_name(value)
        name = unique_name(base, taken, numbered_after_underscore)
        taken.add(name)
        names.append(name)
    return names


def _member_name(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value).upper()
    if isinstance(value, int | float):
        text = str(value).replace("-", "MINUS_").replace(".", "_")
        return "V" + text if text[0].isdigit() else text
    return _text_name(str(value))


@cache  # a large spec's enums repeat their values: GitHub's 10,392 members have 838 values
def _text_name(text: str) -> str:
    if text.strip() in _SYMBOLS:
        return _SYMBOLS[text.strip()]
    # "1st" -> 1_ST: a digit run and the letters after it are words of their own.
    name = _DIGITS_THEN_LETTERS.sub("_", "_".join(w.upper() for w in words(text)))
    if not name:
        return "VALUE"
    return "V_" + name if name[0].isdigit() else name


def name_enum_members(current: dict[str, Any]) -> None:
    """Add x-enum-varnames to an enum schema that has none."""
    _null_as_nullable(current)
    values = current.get("enum")
    if isinstance(values, list) and values and "x-enum-varnames" not in current and "x-enumNames" not in current:
        listed = [v for v in values if v is not None]
        if listed and all(isinstance(v, str | int | float) for v in listed):
            current["x-enum-varnames"] = member_names(listed)


def _null_as_nullable(schema: dict[str, Any]) -> None:
    """`enum: [a, b, null]` / `type: [string, "null"]` on an enum becomes `nullable: true`: the model
    generator then makes a plain enum used as `X | None`, not a wrapper class with a None member."""
    values = schema.get("enum")
    if not isinstance(values, list) or not any(v is not None for v in values):
        return
    kinds = schema.get("type")
    if None in values or (isinstance(kinds, list) and "null" in kinds):
        schema["enum"] = [v for v in values if v is not None]
        if isinstance(kinds, list):
            rest = [k for k in kinds if k != "null"]
            if len(rest) == 1:
                schema["type"] = rest[0]
            elif rest:
                schema["type"] = rest
            else:
                del schema["type"]
        schema["nullable"] = True
