"""Typed references to Python types: what a schema becomes, before it is spelled.

Annotations are built from these and printed once, at the end; nothing downstream parses an
annotation back. A reference knows what it names (a model class, an input TypedDict, a runtime
alias), so the modules it must import are read off it, not recovered from text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic, Literal, TypeVar, overload

Kind = Literal["name", "generic", "literal", "union", "discriminated"]
# Where a name comes from, which decides what a generated module imports for it.
Origin = Literal["builtin", "stdlib", "typing", "pydantic", "model", "input", "runtime"]


_T = TypeVar("_T")


class _kept(Generic[_T]):  # noqa: N801 - used as a decorator, like functools.cached_property
    """A value computed on first use and kept on the instance. functools.cached_property does the
    same under a lock on Python 3.11, which costs several times the computation here."""

    def __init__(self, compute: Callable[[Any], _T]) -> None:
        self.compute = compute
        self.name = compute.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type) -> _kept[_T]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> _T: ...
    def __get__(self, instance: object | None, owner: type) -> _kept[_T] | _T:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value


@dataclass(frozen=True, eq=False, init=False)
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

    def __init__(
        self,
        kind: Kind,
        name: str = "",
        origin: Origin = "builtin",
        args: tuple[TypeRef, ...] = (),
        values: tuple[str | int | bool, ...] = (),
        module: str = "",
        imported: str = "",
    ) -> None:
        # Written straight into the instance: the frozen dataclass's own __init__ (a setattr per
        # field) doubles the cost of the thousands of references a large spec's models make.
        self.__dict__.update(
            kind=kind, name=name, origin=origin, args=args, values=values, module=module, imported=imported
        )

    # Printed, imports and optional are kept on first use: a models module asks each field's type
    # several times, and the references of a class are shared (model() hands out one per name).
    @_kept
    def text(self) -> str:
        return self._spell(False)

    def render(self, *, qualified_builtins: bool = False, models: str = "") -> str:
        """The annotation as Python text. `qualified_builtins` writes builtins.list / builtins.dict,
        for annotations inside a class that may have a method called `list`; `models` is the
        module model classes are named through (`models.Pet`), none by default."""
        if models:
            return self._spell(qualified_builtins, models + ".")
        return self._spell(True) if qualified_builtins else self.text

    def _spell(self, qualified: bool, models: str = "") -> str:
        through = models if self.origin == "model" else ""
        if self.kind == "name":
            return through + self.name
        if self.kind == "literal":
            if self.name:  # members of an enum class: still that enum to type checkers
                return f"Literal[{', '.join(f'{through}{self.name}.{v}' for v in self.values)}]"
            return f"Literal[{', '.join(repr(v) for v in self.values)}]"
        if models:
            parts = [arg._spell(qualified, models) for arg in self.args]
        else:
            parts = [arg._spell(True) if qualified else arg.text for arg in self.args]
        if self.kind == "union":
            return " | ".join(parts)
        if self.kind == "discriminated":
            return f"Annotated[{' | '.join(parts)}, Field(discriminator={self.name!r})]"
        head = f"builtins.{self.name}" if qualified and self.name in ("list", "dict") else self.name
        return f"{head}[{', '.join(parts)}]"

    def __eq__(self, other: object) -> bool:
        # Field by field, cheapest first: unions compare their members on every join.
        if self is other:
            return True
        if not isinstance(other, TypeRef):
            return NotImplemented
        return (
            self.name == other.name
            and self.kind == other.kind
            and self.origin == other.origin
            and self.values == other.values
            and self.args == other.args
            and self.module == other.module
            and self.imported == other.imported
        )

    def __hash__(self) -> int:
        return hash((self.kind, self.name, self.args, self.values))

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
        return {name for name, where in self._named if where == origin}

    @_kept
    def _named(self) -> tuple[tuple[str, Origin], ...]:
        # Built from the parts' own (kept) tuples: a field's type is mostly parts seen before.
        own = (self.name, self.origin)
        if self.kind == "name":
            return (own,)
        head = (own,) if self.kind == "generic" or (self.kind == "literal" and self.name) else ()
        return head + tuple(pair for arg in self.args for pair in arg._named)

    def imports(self) -> frozenset[tuple[str, str]]:
        """(module, what to import) for every name a models module must import to spell this."""
        return self._imports

    @_kept
    def _imports(self) -> frozenset[tuple[str, str]]:
        if self.kind == "name" and not self.module:
            return _NO_IMPORTS
        own: set[tuple[str, str]] = set()
        if self.module:
            own.add((self.module, f"{self.imported} as {self.name}" if self.imported else self.name))
        if self.kind == "literal":
            own.add(("typing", "Literal"))
        elif self.kind == "discriminated":
            own.update((("typing", "Annotated"), ("pydantic", "Field")))
        if not own and not self.args:
            return _NO_IMPORTS
        return frozenset(own.union(*(arg._imports for arg in self.args)))

    @_kept
    def optional(self) -> TypeRef:
        """This type or None, without union()'s search."""
        if self.nullable or (self.kind == "name" and self.name in ("Any", "object")):
            return self
        return TypeRef("union", args=(*self.members(), NONE))


_NO_IMPORTS: frozenset[tuple[str, str]] = frozenset()


def named(name: str, origin: Origin = "builtin", *, module: str = "", imported: str = "") -> TypeRef:
    return TypeRef("name", name, origin, module=module, imported=imported)


def generic(name: str, *args: TypeRef, origin: Origin = "builtin") -> TypeRef:
    return TypeRef("generic", name, origin, args)


def literal(*values: str | int | bool) -> TypeRef:
    return TypeRef("literal", origin="typing", values=values)


@cache
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
    """`union([ref, NONE])`: a type that may also be None."""
    return ref.optional


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
