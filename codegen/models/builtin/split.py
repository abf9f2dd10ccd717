"""The emitter's classes as a package of small modules that load on first use, for large specs.

A spec with hundreds of schemas gives thousands of classes, and building a pydantic class costs
about half a millisecond: one module holding them all makes the first call of any method pay for
every model of the API (seconds on Stripe's spec). Split, a call pays for the models it touches.

A reference cycle (classes strongly connected in the graph of names) would make a call load all
of it: Stripe's expandable fields tie 373 models into one, and a list of customers would build
every one. So a reference from a class to another of its cycle is deferred: the other module's
class is a stand-in at run time (type checkers import it), resolved when a value for the field
first arrives (_deferred.py in the runtime). Bases are never deferred (a class statement needs
them), nor a field that is a discriminated union alone (its own `Annotated` would merge with the
mark), nor a root model; a cycle through such references stays in one module, its classes naming
each other by quoted annotations. Within a module, references are never deferred.

The classes are grouped so that the imports between groups never form a cycle: classes that refer
to each other without deferral share a module, and a class that only one group uses joins that
group, unless a resource or params module names it itself (it is then imported on its own,
without its user). Groups no other group imports then
share modules (packs.py): fewer files to write and to import, and no call loads more than it did.
`models/__init__.py` maps every name to its module and imports it on first access; type checkers
read `models/__init__.pyi`, which imports every name from its module, so `from <package>.models
import X` is checked as before and a misspelt name is an error (a module `__getattr__` would make
it Any).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from ...isort import from_lines
from ...naming import numbered_after_underscore, snake, unique_name
from .classes import ClassDef, EnumClass, Placement, RootClass
from .deferral import Deferral, deferrable_references, plan_deferral
from .graph import strongly_connected
from .layout import dependencies_first, import_lines
from .packs import packed

_INIT_DOC = (
    '"""The API\'s models. Each loads with its module on first use, so a call pays only for the\n'
    'models it touches; `from <package>.models import X` works for every name below."""'
)


def split_models(
    classes: dict[str, ClassDef],
    header: str,
    keep_alone: Mapping[str, Collection[str]] | None = None,
    half_done: Callable[[dict[str, str]], None] | None = None,
) -> dict[str, str]:
    """{path under the package: text} for a models/ package of the emitter's classes. `header`
    heads every module; names in `keep_alone` (what other modules load, each with what loads it:
    a resource module or one of its methods, where known) get modules of their own rather than
    joining their only user's, or one module with the others only the same importer loads
    (packs.py).
    `half_done` is handed the first half of the modules as soon as they are written, so that
    checking them can start.

    Each module is rendered from its classes, as the single module would be, but without
    `from __future__ import annotations`, which would make pydantic compile every annotation: an
    annotation naming a class defined further down in the same module (in a reference cycle) is
    written as a string instead, and a class that names one defined later is completed by
    pydantic on its first use rather than rebuilt at import."""
    order = dependencies_first(classes)
    position = {name: i for i, name in enumerate(order)}
    deps = {n: {d for d in classes[n].deps | set(classes[n].bases) if d in classes and d != n} for n in order}
    deferrable = deferrable_references(classes, deps)
    eager = {n: named - deferrable[n] for n, named in deps.items()}
    kept = keep_alone or {}
    groups = packed(_groups(eager, set(kept)), eager, kept)
    modules = _module_names(groups)
    owner = {name: module for module, members in zip(modules, groups, strict=True) for name in members}
    deferral = plan_deferral(classes, deps, deferrable, owner)
    enum_defaults: dict[tuple[str, Any], str] = {}
    for made in classes.values():
        if isinstance(made, EnumClass):
            enum_defaults.update(made.member_defaults())
    files: dict[str, str] = {}
    for i, (module, members) in enumerate(zip(modules, groups, strict=True)):
        if half_done is not None and i == len(modules) // 2:
            half_done(dict(files))
        members = sorted(members, key=position.__getitem__)
        text = _module_text(header, [classes[m] for m in members], deferral, owner, module, enum_defaults)
        files[f"models/{module}.py"] = text
    files.update(_init_texts(header, owner, position))
    return files


def _groups(deps: dict[str, set[str]], keep_alone: set[str]) -> list[list[str]]:
    """Cycles together, then every component that one other component alone uses merged into
    it (which keeps the groups' imports acyclic: only a group's root is used from outside)."""
    components = strongly_connected(deps)
    component_of = {name: i for i, members in enumerate(components) for name in members}
    users: list[set[int]] = [set() for _ in components]
    for i, members in enumerate(components):
        for name in members:
            for dep in deps[name]:
                if component_of[dep] != i:
                    users[component_of[dep]].add(i)
    group_of: list[int] = list(range(len(components)))
    # Tarjan's order puts a component after all it depends on: users come first from the end.
    for i in reversed(range(len(components))):
        if len(users[i]) == 1 and not keep_alone.intersection(components[i]):
            group_of[i] = group_of[next(iter(users[i]))]
    merged: dict[int, list[str]] = {}
    for i in range(len(components)):
        merged.setdefault(group_of[i], []).extend(components[i])
    return list(merged.values())


def _module_names(groups: list[list[str]]) -> list[str]:
    """`_` + the snake_case name of the group's first class; unique ignoring case (file systems)."""
    taken: set[str] = set()
    out = []
    for members in groups:
        base = "_" + snake(min(members, key=lambda n: (len(n), n)))
        name = unique_name(base, _CaseFolded(taken), numbered_after_underscore)
        taken.add(name.lower())
        out.append(name)
    return out


def _module_text(
    header: str,
    members: list[ClassDef],
    deferral: Deferral,
    owner: dict[str, str],
    module: str,
    enum_defaults: dict[tuple[str, Any], str],
) -> str:
    imported, stand_ins = deferral.imported[module], deferral.stand_ins[module]
    at = {m.name: i for i, m in enumerate(members)}
    needed: set[tuple[str, str]] = set()
    bodies = []
    for i, made in enumerate(members):
        if isinstance(made, RootClass):  # what it names is defined above it, here or imported
            made.after_deps = all(at.get(dep, -1) < i and dep not in stand_ins for dep in made.deps)
        later = frozenset(m.name for m in members[i:])  # itself too: bound only once its body ran
        placement = Placement(later, stand_ins, deferral.marked.get(made.name, frozenset()))
        bodies.append(made.render(enum_defaults, needed, placement))
    head = import_lines(needed | _stand_in_imports(stand_ins), level=2, siblings=_by_module(imported, owner))
    if stand_ins:
        head += ["", "if TYPE_CHECKING:"]
        modules = _by_module(stand_ins, owner)
        head += ["    " + line for line in from_lines({f".{m}": names for m, names in modules.items()})]
        head += ["else:"] + [f'    {name} = deferred("{name}")' for name in sorted(stand_ins)]
    return header + "\n".join(head) + "\n\n\n" + "\n\n\n".join(bodies) + "\n"


def _stand_in_imports(stand_ins: frozenset[str]) -> set[tuple[str, str]]:
    return {("typing", "TYPE_CHECKING"), ("._deferred", "deferred")} if stand_ins else set()


def _by_module(names: Collection[str], owner: dict[str, str]) -> dict[str, list[str]]:
    """{module: its names, sorted}, the modules sorted too."""
    out: dict[str, list[str]] = {}
    for name in sorted(names):
        out.setdefault(owner[name], []).append(name)
    return out


def _init_texts(header: str, owner: dict[str, str], order: dict[str, int]) -> dict[str, str]:
    """`__init__.py`, a small table read on first access, and `__init__.pyi`, the same names as
    plain imports for type checkers (which read a stub before the module)."""
    by_module: dict[str, list[str]] = {}
    for name in sorted(owner, key=order.__getitem__):
        by_module.setdefault(owner[name], []).append(name)
    modules = sorted(by_module)
    table = "".join(f"    {m!r}: {' '.join(by_module[m])!r},\n" for m in modules)
    runtime = [
        header + _INIT_DOC,
        "",
        "from __future__ import annotations",
        "",
        "import importlib",
        "",
        "# The names each module defines.",
        "_NAMES = {\n" + table + "}",
        "_MODULE_OF: dict[str, str] = {}",
        "",
        "",
        "# A double underscore: a model module's name (`_` and snake case) never shadows it.",
        "def __index() -> dict[str, str]:",
        "    if not _MODULE_OF:",
        "        _MODULE_OF.update((n, module) for module, names in _NAMES.items() for n in names.split())",
        "    return _MODULE_OF",
        "",
        "",
        "def __getattr__(name: str) -> object:",
        '    if name == "__all__":',
        "        return sorted(__index())",
        "    module = __index().get(name)",
        "    if module is None:",
        '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")',
        '    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)',
        "    globals()[name] = value  # later look-ups skip this function",
        "    return value",
        "",
        "",
        "def __dir__() -> list[str]:",
        "    return sorted({*globals(), *__index()})",
    ]
    stub = [
        header.rstrip("\n"),
        *from_lines({f".{m}": [f"{n} as {n}" for n in by_module[m]] for m in modules}),
    ]
    return {"models/__init__.py": "\n".join(runtime) + "\n", "models/__init__.pyi": "\n".join(stub) + "\n"}


class _CaseFolded:
    """Names taken, compared without case (file systems that ignore it)."""

    def __init__(self, lowered: set[str]) -> None:
        self.lowered = lowered

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self.lowered
