"""Spec text as Python source: literals and docstrings that nothing in a spec can break out of."""

from __future__ import annotations

import math
from typing import Any


def literal(value: Any) -> str:
    """A Python expression equal to a JSON (or YAML) value."""
    if isinstance(value, float) and not math.isfinite(value):
        return f'float("{value}")'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(str(k))}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if value is None or isinstance(value, bool | int | float | str):
        # repr escapes quotes, backslashes and every unprintable character (line separators too).
        return repr(value)
    return repr(str(value))


def docstring(text: str, indent: str) -> str:
    """A triple-quoted docstring: quotes and backslashes escaped, line breaks other than \\n too."""
    lines = [_escaped(line) for line in text.split("\n")]
    body = "\n".join(indent + line if line.strip() else "" for line in lines)
    return f'{indent}"""\n{body}\n{indent}"""'


def _escaped(line: str) -> str:
    out: list[str] = []
    for char in line.rstrip():
        if char in '\\"':
            out.append("\\" + char)
        elif char.isprintable():
            out.append(char)
        else:
            out.append(char.encode("unicode_escape").decode("ascii"))
    return "".join(out)
