"""Spec text as Python source: literals and docstrings that nothing in a spec can break out of."""

from __future__ import annotations

import math
from typing import Any

from ...pytext import docstring as escaped_docstring


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
    """A triple-quoted docstring, indented, its text escaped as every other generated docstring's."""
    body = "\n".join(indent + line if line else "" for line in escaped_docstring(text).split("\n"))
    return f'{indent}"""\n{body}\n{indent}"""'
