"""Groups of a split models package that nothing else imports share modules (packs.py): those only
one resource module imports, and those nothing imports, a few at a time. Sharing must never make a
call load a class it did not load before, nor an import cycle (test_model_package.py imports every
fixture's package split this way and compares it with the single module)."""

from __future__ import annotations

import ast
import copy
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_builtin_models import _texts  # noqa: E402
from test_model_package import WITH_SCHEMAS  # noqa: E402

from codegen.models.builtin.emitter import Emitter  # noqa: E402
from codegen.models.builtin.packs import _MOST_CLASSES  # noqa: E402
from codegen.models.builtin.split import split_models  # noqa: E402


def _object(**refs: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            **{k: {"$ref": f"#/components/schemas/{v}"} for k, v in refs.items()},
        },
    }


def _owners(schemas: dict[str, Any], importers: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Class name -> the module defining it, as models/__init__.py maps them."""
    classes = Emitter({"components": {"schemas": schemas}}).build()
    files = split_models(classes, "# header\n", importers)
    table = next(
        node.value
        for node in ast.parse(files["models/__init__.py"]).body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "_NAMES"
    )
    names: dict[str, str] = ast.literal_eval(table)
    return {name: module for module, members in names.items() for name in members.split()}


HOOKS = [f"Hook{i}Event" for i in range(60)]
SCHEMAS = {
    "Shared": _object(),
    "Nested": _object(),
    "AlphaOne": _object(shared="Shared"),
    "AlphaTwo": _object(nested="Nested"),
    "BetaOne": _object(shared="Shared"),
    "Both": _object(),
    "Somewhere": _object(),
    **{name: _object() for name in HOOKS},
}
IMPORTERS = {
    "AlphaOne": ("resources.alpha",),
    "AlphaTwo": ("resources.alpha",),
    "BetaOne": ("resources.beta",),
    "Both": ("resources.alpha", "resources.beta"),
    "Shared": ("resources.alpha",),
    "Somewhere": (),
}


def _members(owner: dict[str, str]) -> dict[str, set[str]]:
    modules: dict[str, set[str]] = {}
    for name, module in owner.items():
        modules.setdefault(module, set()).add(name)
    return modules


def test_roots_one_resource_module_imports_share_its_module() -> None:
    owner = _owners(SCHEMAS, IMPORTERS)
    assert owner["AlphaOne"] == owner["AlphaTwo"] == owner["Nested"]
    # Imported by another model (BetaOne's module imports it), or by two modules, or by one
    # the caller does not know: each stays where it was.
    assert len({owner["AlphaOne"], owner["BetaOne"], owner["Shared"], owner["Both"], owner["Somewhere"]}) == 5
    members = _members(owner)
    assert members[owner["Shared"]] == {"Shared"}
    assert members[owner["Both"]] == {"Both"}
    assert members[owner["Somewhere"]] == {"Somewhere"}
    assert members[owner["BetaOne"]] == {"BetaOne"}


def test_roots_nothing_imports_share_modules_a_few_at_a_time() -> None:
    members = _members(_owners(SCHEMAS, IMPORTERS))
    runs = [names for names in members.values() if names & set(HOOKS)]
    assert all(names <= set(HOOKS) for names in runs), "never with a class something imports"
    assert sum(len(names) for names in runs) == len(HOOKS)
    assert 1 < len(runs) < len(HOOKS) / 2
    assert max(len(names) for names in runs) <= _MOST_CLASSES


def test_one_schema_more_or_less_moves_few_runs() -> None:
    def runs(hooks: list[str]) -> set[frozenset[str]]:
        schemas = {k: v for k, v in SCHEMAS.items() if k not in HOOKS or k in hooks}
        members = _members(_owners(schemas, IMPORTERS))
        return {frozenset(names) for names in members.values() if names & set(HOOKS)}

    before = runs(HOOKS)
    for dropped in (HOOKS[5], HOOKS[31], HOOKS[-1]):
        after = runs([h for h in HOOKS if h != dropped])
        assert len(before - after) <= 2, (dropped, sorted(map(sorted, before - after)))


@pytest.mark.parametrize("spec", WITH_SCHEMAS, ids=lambda p: p.stem)
def test_importing_a_resource_modules_names_loads_nothing_more(spec: Path) -> None:
    """Whatever a module holds besides the names a resource module imports, that module loaded
    before too: the classes those names need."""
    texts = _texts(spec)
    names = sorted(texts.expected)
    importers = {name: (f"resources.r{i % 3}",) for i, name in enumerate(names) if i % 2}
    classes = Emitter(copy.deepcopy(texts.document)).build()
    files = split_models(classes, "# header\n", importers)
    table = next(
        node.value
        for node in ast.parse(files["models/__init__.py"]).body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "_NAMES"
    )
    members = {module: set(listed.split()) for module, listed in ast.literal_eval(table).items()}
    owner = {name: module for module, listed in members.items() for name in listed}

    def needs(name: str) -> set[str]:
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current in seen or current not in classes:
                continue
            seen.add(current)
            todo += [*classes[current].deps, *classes[current].bases]
        return seen

    for resource in {m for way in importers.values() for m in way}:
        wanted = [name for name, way in importers.items() if resource in way]
        before = set().union(*(needs(name) for name in wanted))
        loaded = set().union(*(members[owner[name]] for name in before))
        assert loaded <= before, (resource, sorted(loaded - before)[:10])
