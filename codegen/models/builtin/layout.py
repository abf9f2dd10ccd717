"""What every models module the builtin emitter writes shares: classes in dependency order, and
import lines read off what the classes need."""

from __future__ import annotations

import sys

from ...isort import from_lines
from .classes import ClassDef

# The order imports are written in; what a module needs is read off its classes and their types.
IMPORTS = (
    ("datetime", ("date as date_aliased", "time as time_aliased")),
    ("enum", ("Enum", "IntEnum", "StrEnum")),
    ("typing", ("TYPE_CHECKING", "Annotated", "Any", "Literal")),
    ("pydantic", ("AwareDatetime", "Field", "RootModel", "SecretStr")),
    ("._deferred", ("DEFERRED", "deferred")),
    ("._models", ("BaseModel", "open_enum_member")),
)


def import_lines(
    needed: set[tuple[str, str]], *, level: int = 1, siblings: dict[str, list[str]] | None = None
) -> list[str]:
    """The import block, as isort writes it (codegen/isort.py): the standard library, pydantic, then the
    package's own modules (`level` dots: two inside the `models/` package) and `siblings`, the
    other model modules, each section a blank line apart."""
    if unlisted := needed - {(module, name) for module, names in IMPORTS for name in names}:
        raise ValueError(f"no import line for {sorted(unlisted)}")
    sections: list[dict[str, list[str]]] = [{}, {}, {}]
    for module, names in IMPORTS:
        used = [name for name in names if (module, name) in needed]
        if used:
            local = module.startswith(".")
            spelled = "." * level + module[1:] if local else module
            kind = 2 if local else 0 if module in sys.stdlib_module_names else 1
            sections[kind][spelled] = used
    sections[2] |= {f".{module}": names for module, names in (siblings or {}).items()}
    lines: list[str] = []
    for section in sections:
        if section:
            lines += [""] * bool(lines) + from_lines(section)
    return lines


def dependencies_first(classes: dict[str, ClassDef]) -> list[str]:
    """Depth-first, post-order: bases (which must) and field types (which saves pydantic a
    rebuild) come before the class; cycles are cut where they close."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = on the stack, 2 = placed
    for root in classes:
        if root in state:
            continue
        stack: list[tuple[str, list[str]]] = [(root, _deps_of(classes[root]))]
        state[root] = 1
        while stack:
            name, pending = stack[-1]
            while pending and (pending[-1] not in classes or pending[-1] in state):
                pending.pop()
            if pending:
                dep = pending.pop()
                state[dep] = 1
                stack.append((dep, _deps_of(classes[dep])))
                continue
            stack.pop()
            state[name] = 2
            order.append(name)
    return _bases_first(order, classes)


def _bases_first(order: list[str], classes: dict[str, ClassDef]) -> list[str]:
    """A base reached through a cycle may have been placed after its child; move it up (a class
    statement needs its bases, annotations can wait)."""
    placed: dict[str, None] = {}

    def place(name: str) -> None:
        if name in placed or name not in classes:
            return
        for base in classes[name].bases:
            place(base)
        placed[name] = None

    for name in order:
        place(name)
    return list(placed)


def _deps_of(made: ClassDef) -> list[str]:
    # Popped from the end: bases last in the list so they are visited first, in declared order.
    soft = sorted(made.deps - set(made.bases), reverse=True)
    return soft + list(reversed(made.bases))
