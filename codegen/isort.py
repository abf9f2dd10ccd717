"""The order ruff's isort rule (I001, with codegen/ruff.toml's settings) gives imports, so that
generated modules come out with their imports as ruff would leave them: a split models package
then needs no lint pass (a quarter of a second of the wait at the end of a large spec's run), and
the resource modules' pass finds nothing to fix (fixing makes ruff lint a module again).

Members sort constants first (all upper case, longer than one character), then classes (an upper
case first letter), then the rest; within each kind case-insensitively, then by the name itself.
Both comparisons are natural: a run of digits compares by its number ("A2" before "A10"), or digit
by digit when either run starts with a zero. Modules sort the same way, the furthest relative
import first. Names are identifiers (no spaces). A test compares this order with ruff's own.
"""

from __future__ import annotations

import re
from functools import cache

_DIGIT_RUN = re.compile(r"[0-9]+")


@cache  # a large models package sorts the same few thousand names again and again
def natural_key(name: str) -> str:
    """A string that sorts, by code point, as the identifier does in natural order. A digit run
    stays between the characters below and above the digits; one with a leading zero compares
    digit by digit and ends below everything (the NUL after it), one without by its length first."""
    return _DIGIT_RUN.sub(_run_key, name)


def _run_key(run: re.Match[str]) -> str:
    digits = run[0]
    return digits + "\0" if digits[0] == "0" else "1" + chr(len(digits)) + digits


def _member_kind(name: str) -> int:
    if len(name) > 1 and name.upper() == name and name.lower() != name:
        return 0  # a constant
    return 1 if name[:1].isupper() else 2  # a class, else anything else


def member_key(name: str, alias: str = "") -> tuple[int, str, str, str]:
    return _member_kind(name), natural_key(name.lower()), natural_key(name), natural_key(alias)


def module_key(module: str, first_member: str) -> tuple[int, str, str, tuple[int, str, str, str]]:
    """A `from module import first_member, ...` line among those of its section."""
    name = module.lstrip(".")
    level = len(module) - len(name)
    return -level, natural_key(name.lower()), natural_key(name), member_key(first_member)


def sorted_members(names: list[str]) -> list[str]:
    return sorted(names, key=member_key)


def from_lines(imports: dict[str, list[str]]) -> list[str]:
    """`from module import a, b` lines, one section, in isort's order; members named `x as x` (a
    re-export) each get a line of their own, as isort writes them when as-imports are not
    combined."""
    statements: list[tuple[str, list[str]]] = []
    for module, names in imports.items():
        plain = sorted_members([n for n in names if " as " not in n])
        if plain:
            statements.append((module, plain))
        statements += [(module, [n]) for n in names if " as " in n]
    statements.sort(key=lambda s: module_key(s[0], s[1][0].split(" as ")[0]))
    return [f"from {module} import {', '.join(names)}" for module, names in statements]
