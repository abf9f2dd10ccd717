"""Typed references to Python types: what a schema becomes, before it is spelled.

Annotations are built from these and printed once, at the end; nothing downstream parses an
annotation back. A reference knows what it names (a model class, an input TypedDict, a runtime
alias), so the modules it must import are read off it, not recovered from text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

Kind = Literal["name", "generic", "literal", "union", "discriminated"]
# Where a name comes from, which decides what a generated module imports for it.
Origin = Literal["builtin", "stdlib", "typing", "pydantic", "model", "input", "runtime"]


@dataclass(frozen=True)
class TypeRef:
    kind: Kind
    name: str = ""  # a name, or a generic's origin ("list", "abc.Sequence")
    origin: Origin = "builtin"
    args: tuple[TypeRef, ...] = ()  # a generic's parameters, a union's members
    values: tuple[str | int | bool, ...] = ()  # a Literal's values (or, naming an enum, its members)
    # The module a models file imports the name from, and the name there when it is imported under
    # another one (`date as date_aliased`, so that a field may be called `date`).
    module: str = ""
    imported: str = ""

    def render(self, *, qualified_builtins: bool = False) -> str:
        """The annotation as Python text. `qualified_builtins` writes builtins.list / builtins.dict,
        for annotations inside a class that may have a method called `list`."""
        if self.kind == "name":
            return self.name
        if self.kind == "literal":
            if self.name:  # members of an enum class: still that enum to type checkers
                return f"Literal[{', '.join(f'{self.name}.{v}' for v in self.values)}]"
            return f"Literal[{', '.join(repr(v) for v in self.values)}]"
        if self.kind == "union":
            return " | ".join(member.render(qualified_builtins=qualified_builtins) for member in self.args)
        if self.kind == "discriminated":
            members = " | ".join(member.render(qualified_builtins=qualified_builtins) for member in self.args)
            return f"Annotated[{members}, Field(discriminator={self.name!r})]"
        head = f"builtins.{self.name}" if qualified_builtins and self.name in ("list", "dict") else self.name
        return f"{head}[{', '.join(a.render(qualified_builtins=qualified_builtins) for a in self.args)}]"

    def __str__(self) -> str:
        return self.render()

    @property
    def nullable(self) -> bool:
        if self.kind == "union":
            return NONE in self.args
        return self.kind == "name" and self.name == "None"

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
        elif self.kind == "generic" or (self.kind == "literal" and self.name):
            yield TypeRef("name", self.name, self.origin)
        for arg in self.args:
            yield from arg.leaves()

    def names(self, origin: Origin) -> set[str]:
        return {leaf.name for leaf in self.leaves() if leaf.origin == origin}

    def imports(self) -> set[tuple[str, str]]:
        """(module, what to import) for every name a models module must import to spell this."""
        found: set[tuple[str, str]] = set()
        stack = [self]
        while stack:
            ref = stack.pop()
            if ref.module:
                found.add((ref.module, f"{ref.imported} as {ref.name}" if ref.imported else ref.name))
            if ref.kind == "literal":
                found.add(("typing", "Literal"))
            elif ref.kind == "discriminated":
                found.update((("typing", "Annotated"), ("pydantic", "Field")))
            stack.extend(ref.args)
        return found


def named(name: str, origin: Origin = "builtin", *, module: str = "", imported: str = "") -> TypeRef:
    return TypeRef("name", name, origin, module=module, imported=imported)


def generic(name: str, *args: TypeRef, origin: Origin = "builtin") -> TypeRef:
    return TypeRef("generic", name, origin, args)


def literal(*values: str | int | bool) -> TypeRef:
    return TypeRef("literal", origin="typing", values=values)


def model(name: str) -> TypeRef:
    return named(name, "model")


def enum_members(enum: str, *members: str) -> TypeRef:
    """`Literal[Status.ACTIVE]`: a discriminator tag typed by the enum a base class declares."""
    return TypeRef("literal", enum, "model", values=members)


def discriminated(prop: str, members: Iterable[TypeRef]) -> TypeRef:
    """`Annotated[A | B, Field(discriminator=prop)]`: pydantic picks the member by the tag `prop`.
    It stays one member when joined with None."""
    return TypeRef("discriminated", prop, "typing", tuple(members))


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
# What a models module spells where the resource side says object and datetime.datetime.
ANY = named("Any", "typing", module="typing")
AWARE_DATETIME = named("AwareDatetime", "pydantic", module="pydantic")
SECRET_STR = named("SecretStr", "pydantic", module="pydantic")
DATE_ALIASED = named("date_aliased", "stdlib", module="datetime", imported="date")
TIME_ALIASED = named("time_aliased", "stdlib", module="datetime", imported="time")
LOOSE = generic("dict", STR, OBJECT)  # documented fallback for what cannot be typed precisely
ANY_MAPPING = generic("abc.Mapping", STR, OBJECT, origin="stdlib")


def list_of(item: TypeRef) -> TypeRef:
    return generic("list", item)


def sequence_of(item: TypeRef) -> TypeRef:
    return generic("abc.Sequence", item, origin="stdlib")


def or_none(ref: TypeRef) -> TypeRef:
    """`union([ref, NONE])`, without its search: a type that may also be None."""
    if ref.nullable or (ref.kind == "name" and ref.name in ("Any", "object")):
        return ref
    return TypeRef("union", args=(*ref.members(), NONE))


def union(parts: Iterable[TypeRef]) -> TypeRef:
    """Members flattened and each kept once; `object` (or a model's `Any`) absorbs the rest; None
    last, as type checkers print it. One member is returned as itself."""
    flat: list[TypeRef] = []
    for part in parts:
        for member in part.members():
            if member not in flat:
                flat.append(member)
    for top in (OBJECT, ANY):
        if top in flat:
            return top
    flat.sort(key=lambda m: m == NONE)
    if not flat:
        return NONE
    return flat[0] if len(flat) == 1 else TypeRef("union", args=tuple(flat))
