"""Pydantic v2 models written directly from the prepared schemas, for specs too large for
datamodel-code-generator to handle quickly (docs/decisions.md, "Two model generators")."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...diagnostics import Diagnostic, SpecError
from ..plan import SCHEMAS_POINTER, EmittedModels, ModelPlan, no_schemas_module
from .classes import ClassDef, EnumClass, ModelClass, RootClass
from .emitter import Emitter
from .layout import dependencies_first, import_lines
from .split import split_models


def emit_models(plan: ModelPlan, half_done: Callable[[dict[str, str]], None] | None = None) -> EmittedModels:
    """models.py for the plan: the builtin emitter defines every planned class under its name.
    A split package hands its first half of modules to `half_done` while it writes the rest."""
    if not plan.schemas:
        return no_schemas_module(plan)
    return write_models(plan, build_classes(plan), half_done)


def build_classes(plan: ModelPlan) -> dict[str, ClassDef]:
    """Every planned class; what they are does not depend on the plan's package, header or split."""
    try:
        return Emitter(dict(plan.document), referenced=plan.referenced).build()
    except (RecursionError, TypeError, ValueError, KeyError, AttributeError) as exc:
        # Validation admits every document that gets here; what slips through is named, not dumped.
        message = f"model emitter failed: {type(exc).__name__}: {exc}"
        raise SpecError([Diagnostic(plan.spec_file, None, SCHEMAS_POINTER, message)]) from None


def write_models(
    plan: ModelPlan, classes: dict[str, ClassDef], half_done: Callable[[dict[str, str]], None] | None = None
) -> EmittedModels:
    if plan.split_keep is not None:
        return EmittedModels("", files=split_models(classes, f"# {plan.header}\n", plan.split_keep, half_done))
    return EmittedModels(f"# {plan.header}\n" + render_module(classes))


def render_module(classes: dict[str, ClassDef]) -> str:
    order = dependencies_first(classes)
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
    imports = import_lines(needed)
    tail = "\n\n" + "\n".join(rebuilds) + "\n" if rebuilds else ""
    return "\nfrom __future__ import annotations\n\n" + "\n".join(imports) + "\n\n\n" + code + "\n" + tail
