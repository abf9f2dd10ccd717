"""Pydantic v2 models written directly from the prepared schemas, for specs too large for
datamodel-code-generator to handle quickly (docs/decisions.md, "Two model generators")."""

from __future__ import annotations

from typing import Any

from ...diagnostics import Diagnostic, SpecError
from ..plan import SCHEMAS_POINTER, EmittedModels, ModelPlan, no_schemas_module
from .classes import ClassDef, EnumClass, ModelClass, RootClass
from .emitter import Emitter

# The order imports are written in; what a module needs is read off its classes and their types.
_IMPORTS = (
    ("datetime", ("date as date_aliased", "time as time_aliased")),
    ("enum", ("Enum", "IntEnum", "StrEnum")),
    ("typing", ("Annotated", "Any", "Literal")),
    ("pydantic", ("AwareDatetime", "Field", "RootModel", "SecretStr")),
    ("._models", ("BaseModel", "open_enum_member")),
)


def emit_models(plan: ModelPlan) -> EmittedModels:
    """models.py for the plan: the builtin emitter defines every planned class under its name."""
    if not plan.schemas:
        return no_schemas_module(plan)
    try:
        classes = Emitter(dict(plan.document)).build()
    except (RecursionError, TypeError, ValueError, KeyError, AttributeError) as exc:
        # Validation admits every document that gets here; what slips through is named, not dumped.
        message = f"model emitter failed: {type(exc).__name__}: {exc}"
        raise SpecError([Diagnostic(plan.spec_file, None, SCHEMAS_POINTER, message)]) from None
    return EmittedModels(f"# {plan.header}\n" + render_module(classes))


def render_module(classes: dict[str, ClassDef]) -> str:
    order = _dependencies_first(classes)
    position = {name: i for i, name in enumerate(order)}
    enum_defaults: dict[tuple[str, Any], str] = {}
    for made in classes.values():
        if isinstance(made, EnumClass):
            enum_defaults.update(made.member_defaults())
    for name in order:
        made = classes[name]
        if isinstance(made, RootClass):
            made.after_deps = all(position.get(dep, -1) < position[name] for dep in made.deps)
    needed: set[tuple[str, str]] = set()
    bodies = [classes[name].render(enum_defaults, needed) for name in order]
    # A class naming one defined further down (a cycle) is completed once all exist.
    rebuilds = [
        f"{name}.model_rebuild()"
        for name in order
        if isinstance(classes[name], ModelClass | RootClass)
        and any(position.get(dep, -1) > position[name] for dep in classes[name].deps)
    ]
    code = "\n\n\n".join(bodies)
    if unlisted := needed - {(module, name) for module, names in _IMPORTS for name in names}:
        raise ValueError(f"no import line for {sorted(unlisted)}")
    imports = [
        f"from {module} import {', '.join(used)}"
        for module, names in _IMPORTS
        if (used := [name for name in names if (module, name) in needed])
    ]
    tail = "\n\n" + "\n".join(rebuilds) + "\n" if rebuilds else ""
    return "\nfrom __future__ import annotations\n\n" + "\n".join(imports) + "\n\n\n" + code + "\n" + tail


def _dependencies_first(classes: dict[str, ClassDef]) -> list[str]:
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
