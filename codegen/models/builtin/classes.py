"""The classes a models module defines, and their source text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...ir.typeref import TypeRef, or_none
from .pragmas import with_override_ignore
from .text import docstring, literal

_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Placement:
    """Where a class is written, as its annotations must know it: a split package's module
    (models/builtin/split.py) evaluates annotations where they stand."""

    later: frozenset[str] = _NONE  # classes of the module not yet defined: quoted
    stand_ins: frozenset[str] = _NONE  # names bound to stand-ins in the module: marked DEFERRED
    marked: frozenset[str] = _NONE  # the class's fields marked DEFERRED though naming none ("root")


ANYWHERE = Placement()


@dataclass
class FieldDef:
    wire: str  # the property name on the wire
    python: str  # the attribute name
    annotation: TypeRef  # the schema's own type, None in it only when the schema allows null
    required: bool
    default: Any = None
    has_default: bool = False
    doc: str | None = None
    narrows: bool = False  # redeclares an inherited field with another annotation

    def shown_annotation(self) -> TypeRef:
        if self.required or (self.has_default and self.default is not None):
            return self.annotation
        return or_none(self.annotation)  # Any stays Any

    def render(
        self,
        enum_defaults: dict[tuple[str, Any], str],
        imports: set[tuple[str, str]],
        placement: Placement = ANYWHERE,
    ) -> str:
        """The field's lines; what they need imported is added to `imports`. An annotation naming a
        class not yet defined where the class statement runs is written as a string; one naming a
        stand-in, or a field marked, is marked DEFERRED (models/builtin/deferral.py)."""
        shown = self.shown_annotation()
        imports.update(shown.imports())
        annotation = _spelled(shown, placement, imports, self.python in placement.marked)
        kwargs = self._keywords(enum_defaults)
        if kwargs == ["default=None"]:
            line = f"    {self.python}: {annotation} = None"
        elif kwargs:
            imports.add(("pydantic", "Field"))
            line = f"    {self.python}: {annotation} = Field({', '.join(kwargs)})"
        else:
            line = f"    {self.python}: {annotation}"
        if self.narrows:
            line = with_override_ignore(line)
        return line + ("\n" + docstring(self.doc, "    ") if self.doc else "")

    def _keywords(self, enum_defaults: dict[tuple[str, Any], str]) -> list[str]:
        kwargs: list[str] = []
        if not self.required:
            if self.has_default and self.default is not None:
                member = enum_default(self.annotation, self.default, enum_defaults)
                kwargs.append(f"default={member or literal(self.default)}")
            else:
                kwargs.append("default=None")
        if self.python != self.wire:
            wire = literal(self.wire)
            kwargs += [f"validation_alias={wire}", f"serialization_alias={wire}"]
        return kwargs


def enum_default(annotation: TypeRef, value: Any, enum_defaults: dict[tuple[str, Any], str]) -> str | None:
    """The enum member a default stands for, in any member of a union and item by item in a
    list: a plain value where the annotation names an enum is what a type checker rejects."""
    for member in annotation.without_none().members():
        found = enum_defaults.get((member.text, hashable(value)))
        if found is not None:
            return found
        if isinstance(value, list) and member.kind == "generic" and member.name == "list" and member.args:
            items = [enum_default(member.args[0], item, enum_defaults) for item in value]
            if value and all(item is not None for item in items):
                return "[" + ", ".join(str(item) for item in items) + "]"
    return None


def _spelled(annotation: TypeRef, placement: Placement, imports: set[tuple[str, str]], marked: bool) -> str:
    """The annotation's text, as a string when it names a class defined further down: a module
    without `from __future__ import annotations` evaluates annotations where they stand. Naming a
    stand-in, the annotation is marked for the runtime to resolve on first use (_deferred.py); a
    type checker reads the plain annotation."""
    text = annotation.text
    if not (placement.later or placement.stand_ins or marked):
        return text
    named = annotation.names("model")
    if marked or not named.isdisjoint(placement.stand_ins):
        if annotation.kind == "discriminated":  # Annotated[...] inside Annotated would merge
            raise ValueError(f"a discriminated union cannot be deferred: {text}")
        imports.update((("typing", "Annotated"), ("._deferred", "DEFERRED")))
        text = f"Annotated[{text}, DEFERRED]"
    return repr(text) if not named.isdisjoint(placement.later) else text


def hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else repr(value)


@dataclass
class ModelClass:
    name: str
    bases: list[str]
    fields: list[FieldDef]
    doc: str | None
    deps: set[str] = field(default_factory=set)  # classes its annotations name

    def render(
        self,
        enum_defaults: dict[tuple[str, Any], str],
        imports: set[tuple[str, str]],
        placement: Placement = ANYWHERE,
    ) -> str:
        if not self.bases:
            imports.add(("._models", "BaseModel"))
        head = f"class {self.name}({', '.join(self.bases) or 'BaseModel'}):"
        body = [docstring(self.doc, "    ")] if self.doc else []
        body += [f.render(enum_defaults, imports, placement) for f in self.fields]
        return head + "\n" + ("\n".join(body) if body else "    pass")


@dataclass
class EnumClass:
    name: str
    base: str  # StrEnum, IntEnum or Enum
    members: list[tuple[str, Any]]
    doc: str | None
    deps: set[str] = field(default_factory=set)
    bases: list[str] = field(default_factory=list)

    def member_defaults(self) -> dict[tuple[str, Any], str]:
        """(class, value) -> `Class.MEMBER`, so a field's default reads as the member it is."""
        return {(self.name, hashable(value)): f"{self.name}.{member}" for member, value in self.members}

    def render(
        self,
        enum_defaults: dict[tuple[str, Any], str],
        imports: set[tuple[str, str]],
        placement: Placement = ANYWHERE,
    ) -> str:
        del enum_defaults, placement  # members are plain values
        imports.update((("enum", self.base), ("typing", "Any"), ("._models", "open_enum_member")))
        lines = [f"class {self.name}({self.base}):"]
        if self.doc:
            lines.append(docstring(self.doc, "    "))
        lines += [f"    {member} = {literal(value)}" for member, value in self.members]
        lines += [
            "",
            "    @classmethod",
            "    def _missing_(cls, value: object) -> Any:",
            "        # A value the spec did not list (added by the server later) must not break parsing.",
            "        return open_enum_member(cls, value)",
        ]
        return "\n".join(lines)


@dataclass
class RootClass:
    """A named type that is not an object: one no other schema names (so none inlines it), or one
    that refers to itself, which only a class can."""

    name: str
    annotation: TypeRef
    doc: str | None
    deps: set[str] = field(default_factory=set)
    bases: list[str] = field(default_factory=list)
    after_deps: bool = False  # every class it names is defined above it

    def render(
        self,
        enum_defaults: dict[tuple[str, Any], str],
        imports: set[tuple[str, str]],
        placement: Placement = ANYWHERE,
    ) -> str:
        # A base's subscript runs at import; naming a class defined further down (or a stand-in),
        # it stays Any and the `root` annotation (read later) carries the type for pydantic and
        # type checkers.
        del enum_defaults
        imports.update(self.annotation.imports() | {("pydantic", "RootModel")})
        if not self.after_deps:
            imports.add(("typing", "Any"))
        annotation = self.annotation.text
        lines = [f"class {self.name}(RootModel[{annotation if self.after_deps else 'Any'}]):"]
        if self.doc:
            lines.append(docstring(self.doc, "    "))
        lines.append(f"    root: {_spelled(self.annotation, placement, imports, 'root' in placement.marked)}")
        return "\n".join(lines)


ClassDef = ModelClass | EnumClass | RootClass
