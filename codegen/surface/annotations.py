"""Whether one Python annotation accepts more or fewer values than another.

Annotations are compared as type checkers read them, from their text: `int | None` is wider than
`int`, `Literal['a']` narrower than `Literal['a', 'b']` and than `str`, `int` narrower than `float`.
Containers compare by their item types (a caller passing `[1, 2]` does not care that `list` is
invariant), and model classes are nominal: a different class is a different type.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Relation = Literal["same", "wider", "narrower", "changed"]

# One member of a union: (origin, arguments), or ("Literal", (type name, value)).
Atom = tuple[str, tuple[object, ...]]
Members = frozenset[Atom]

_TOP = {"object", "Any", "typing.Any"}
# Spellings of one type: generated modules write `abc.Sequence`, `builtins.list`, `AwareDatetime`.
_ALIASES = {
    "builtins.list": "list",
    "builtins.dict": "dict",
    "typing.List": "list",
    "List": "list",
    "typing.Dict": "dict",
    "Dict": "dict",
    "abc.Sequence": "Sequence",
    "collections.abc.Sequence": "Sequence",
    "typing.Sequence": "Sequence",
    "abc.Mapping": "Mapping",
    "collections.abc.Mapping": "Mapping",
    "typing.Mapping": "Mapping",
    "AwareDatetime": "datetime.datetime",
    "NaiveDatetime": "datetime.datetime",
    "typing.Literal": "Literal",
}
# (narrower, wider) pairs of plain names, as type checkers promote them.
_PROMOTIONS = {("bool", "int"), ("bool", "float"), ("int", "float")}
# Containers a narrower container fits into.
_CONTAINERS = {("list", "Sequence"), ("tuple", "Sequence"), ("dict", "Mapping")}


@dataclass(frozen=True)
class Enums:
    """Enum classes of the package: a `StrEnum` member is also a `str` to a type checker."""

    str_enums: frozenset[str] = field(default_factory=frozenset)
    int_enums: frozenset[str] = field(default_factory=frozenset)


def relation(old: str, new: str, enums: Enums = Enums()) -> Relation:
    """How `new` relates to `old`: the same values, more (wider), fewer (narrower) or neither."""
    if old == new:
        return "same"
    a, b = parse(old), parse(new)
    old_in_new, new_in_old = _fits(a, b, enums), _fits(b, a, enums)
    if old_in_new and new_in_old:
        return "same"
    if old_in_new:
        return "wider"
    if new_in_old:
        return "narrower"
    return "changed"


def parse(text: str) -> Members:
    try:
        node = ast.parse(text.strip() or "object", mode="eval").body
    except SyntaxError:
        return frozenset({(text, ())})  # unreadable text compares by equality only
    return _members(node)


def without_none(text: str) -> str:
    """The annotation with `None` taken out of its top-level union."""
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return text
    parts = [p for p in _union_parts(node) if not (isinstance(p, ast.Constant) and p.value is None)]
    return " | ".join(ast.unparse(p) for p in parts) if parts else "None"


def accepts_none(text: str) -> bool:
    return ("None", ()) in parse(text) or bool(parse(text) & {(t, ()) for t in _TOP})


def names_in(text: str) -> set[str]:
    """Identifiers an annotation refers to (never the contents of string literals)."""
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _union_parts(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _union_parts(node.left) + _union_parts(node.right)
    return [node]


def _name(node: ast.expr) -> str:
    text = ast.unparse(node)
    return _ALIASES.get(text, text)


def _members(node: ast.expr) -> Members:
    out: set[Atom] = set()
    for part in _union_parts(node):
        out |= _atoms(part)
    return frozenset(out)


def _atoms(node: ast.expr) -> set[Atom]:
    if isinstance(node, ast.Constant):
        if node.value is None:
            return {("None", ())}
        if isinstance(node.value, str):  # a forward reference written as a string
            return set(parse(node.value))
        return {(repr(node.value), ())}
    if isinstance(node, ast.Subscript):
        origin = _name(node.value)
        args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        if origin == "Literal":
            return {_literal(arg) for arg in args}
        if origin in ("Optional", "typing.Optional"):
            return {("None", ())} | set(_members(args[0]))
        if origin in ("Union", "typing.Union"):
            return set().union(*(_members(a) for a in args))
        if origin in ("Annotated", "typing.Annotated"):
            return set(_members(args[0]))
        return {(origin, tuple(_members(a) for a in args))}
    return {(_name(node), ())}


def _literal(node: ast.expr) -> Atom:
    value = node.value if isinstance(node, ast.Constant) else ast.unparse(node)
    return ("Literal", (type(value).__name__, value))


def _fits(narrow: Iterable[Atom], wide: Members, enums: Enums) -> bool:
    """Every member of `narrow` is accepted by some member of `wide`."""
    return all(any(_atom_fits(a, b, enums) for b in wide) for a in narrow)


def _atom_fits(a: Atom, b: Atom, enums: Enums) -> bool:
    if b[0] in _TOP or a == b:
        return True
    if a[0] == "Literal":
        kind = str(a[1][0])
        return b[1] == () and (b[0] == kind or (kind, b[0]) in _PROMOTIONS)
    if b[1] == () and a[1] == ():
        if (a[0], b[0]) in _PROMOTIONS:
            return True
        return (a[0] in enums.str_enums and b[0] == "str") or (a[0] in enums.int_enums and b[0] in ("int", "float"))
    if a[0] == b[0] or (a[0], b[0]) in _CONTAINERS:
        if len(a[1]) != len(b[1]):
            return False
        return all(
            isinstance(x, frozenset) and isinstance(y, frozenset) and _fits(x, y, enums)
            for x, y in zip(a[1], b[1], strict=True)
        )
    return False
