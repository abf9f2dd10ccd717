"""Typed references to Python types: what a schema becomes, before it is spelled.

Annotations are built from these and printed once, at the end; nothing downstream parses an
annotation back. A reference knows what it names (a model class, an input TypedDict, a runtime
alias), so the modules it must import are read off it, not recovered from text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

Kind = Literal["name", "generic", "literal", "union"]
# Where a name comes from, which decides what a generated module imports for it.
Origin = Literal["builtin", "stdlib", "typing", "model", "input", "runtime"]


@dataclass(frozen=True)
class TypeRef:
    kind: Kind
    name: str = ""  # a name, or a generic's origin ("list", "abc.Sequence")
    origin: Origin = "builtin"
    args: tuple[TypeRef, ...] = ()  # a generic's parameters, a union's members
    values: tuple[str | int | bool, ...] = ()  # a Literal's values

    def render(self, *, qualified_builtins: bool = False) -> str:
        """The annotation as Python text. `qualified_builtins` writes builtins.list / builtins.dict,
        for annotations inside a class that may have a method called `list`."""
        if self.kind == "name":
            return self.name
        if self.kind == "literal":
            return f"Literal[{', '.join(repr(v) for v in self.values)}]"
        if self.kind == "union":
            return " | ".join(member.render(qualified_builtins=qualified_builtins) for member in self.args)
        head = f"builtins.{self.name}" if qualified_builtins and self.name in ("list", "dict") else self.name
        return f"{head}[{', '.join(a.render(qualified_builtins=qualified_builtins) for a in self.args)}]"

    def __str__(self) -> str:
        return self.render()

    @property
    def nullable(self) -> bool:
        return self == NONE or (self.kind == "union" and NONE in self.args)

    @property
    def is_model(self) -> bool:
        return self.kind == "name" and self.origin == "model"

    def members(self) -> tuple[TypeRef, ...]:
        """A union's members; anything else is its own single member."""
        return self.args if self.kind == "union" else (self,)

    def without_none(self) -> TypeRef:
        return union(m for m in self.members() if m != NONE) if self.nullable else self

    def leaves(self) -> Iterator[TypeRef]:
        """Every name this reference mentions, outermost first."""
        if self.kind == "name":
            yield self
        elif self.kind == "generic":
            yield TypeRef("name", self.name, self.origin)
        for arg in self.args:
            yield from arg.leaves()

    def names(self, origin: Origin) -> set[str]:
        return {leaf.name for leaf in self.leaves() if leaf.origin == origin}


def named(name: str, origin: Origin = "builtin") -> TypeRef:
    return TypeRef("name", name, origin)


def generic(name: str, *args: TypeRef, origin: Origin = "builtin") -> TypeRef:
    return TypeRef("generic", name, origin, args)


def literal(*values: str | int | bool) -> TypeRef:
    return TypeRef("literal", origin="typing", values=values)


def model(name: str) -> TypeRef:
    return named(name, "model")


NONE = named("None")
OBJECT = named("object")
STR = named("str")
INT = named("int")
FLOAT = named("float")
BOOL = named("bool")
BYTES = named("bytes")
DATETIME = named("datetime.datetime", "stdlib")
DATE = named("datetime.date", "stdlib")
FILE_INPUT = named("FileInput", "runtime")  # _types.py: bytes, a path, an open file or a tuple
LOOSE = generic("dict", STR, OBJECT)  # documented fallback for what cannot be typed precisely
ANY_MAPPING = generic("abc.Mapping", STR, OBJECT, origin="stdlib")


def list_of(item: TypeRef) -> TypeRef:
    return generic("list", item)


def sequence_of(item: TypeRef) -> TypeRef:
    return generic("abc.Sequence", item, origin="stdlib")


def union(parts: Iterable[TypeRef]) -> TypeRef:
    """Members flattened and each kept once; `object` absorbs the rest; None last, as type
    checkers print it. One member is returned as itself."""
    flat: list[TypeRef] = []
    for part in parts:
        for member in part.members():
            if member not in flat:
                flat.append(member)
    if OBJECT in flat:
        return OBJECT
    flat.sort(key=lambda m: m == NONE)
    if not flat:
        return NONE
    return flat[0] if len(flat) == 1 else TypeRef("union", args=tuple(flat))
