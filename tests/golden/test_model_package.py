"""The builtin emitter's models split into a package (codegen/models/builtin/split.py) must be the
same models as the one module they come from.

For every fixture and curated spec the builtin models.py is split, both are imported side by side
and fed the same synthesized data: each must accept what the other accepts and give back the same
values with the same classes. The package must also load lazily (a name loads its own modules, not
all of them), never import in a cycle, and show type checkers every name and no other.
"""

from __future__ import annotations

import ast
import copy
import importlib
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pydantic
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _samples import Synthesizer  # noqa: E402
from test_builtin_models import SPECS, _evaluate, _kind, _samples, _texts  # noqa: E402

from codegen.models.builtin.emitter import Emitter  # noqa: E402
from codegen.models.builtin.split import split_models  # noqa: E402
from codegen.pipeline import SPLIT_FROM_SCHEMAS, generate_package  # noqa: E402
from codegen.render import RUNTIME  # noqa: E402
from codegen.spec.load import load_spec  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
# A spec without schemas has no models to split (its models.py says so and nothing else).
WITH_SCHEMAS = [s for s in SPECS if (load_spec(s).data.get("components") or {}).get("schemas")]


def _split(texts: Any, importers: dict[str, tuple[str, ...]] | None = None) -> dict[str, str]:
    """The package the builtin emitter writes for the spec, from the classes its module holds.
    Unless told, a quarter of the names are imported by no module, a quarter by an unknown one,
    and the rest by one of two resource modules: every way of sharing modules shows (packs.py)."""
    classes = Emitter(copy.deepcopy(texts.document)).build()
    if importers is None:
        ways: list[tuple[str, ...] | None] = [None, ("resources.a",), ("resources.b",), ()]
        chosen = {name: ways[i % 4] for i, name in enumerate(sorted(texts.expected))}
        importers = {name: way for name, way in chosen.items() if way is not None}
    return split_models(classes, texts.builtin.splitlines(keepends=True)[0], importers)


def _write(root: Path, package: str, files: dict[str, str]) -> None:
    folder = root / package
    folder.mkdir()
    (folder / "__init__.py").write_text("", encoding="utf-8")
    for runtime in ("_models.py", "_deferred.py"):
        shutil.copyfile(RUNTIME / runtime, folder / runtime)
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module", params=WITH_SCHEMAS, ids=lambda p: p.stem)
def sides(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    spec: Path = request.param
    texts = _texts(spec)
    split = _split(texts)
    root = tmp_path_factory.mktemp(f"package-{spec.stem}")
    stem = re.sub(r"\W", "_", spec.stem)
    packages = {"module": f"_split_module_{stem}", "package": f"_split_package_{stem}"}
    _write(root, packages["module"], {"models.py": texts.builtin})
    _write(root, packages["package"], split)
    sys.path.insert(0, str(root))
    try:
        yield spec, texts, split, {side: importlib.import_module(f"{p}.models") for side, p in packages.items()}
    finally:
        sys.path.remove(str(root))
        for name in list(sys.modules):
            if name.split(".", 1)[0] in packages.values():
                del sys.modules[name]


def _classes(module: ModuleType) -> set[str]:
    return {
        name
        for name, value in vars(module).items()
        if isinstance(value, type) and value.__module__ == module.__name__ and name.isidentifier()
    }


def test_package_names_every_class(sides: Any) -> None:
    _, _, _, modules = sides
    assert set(modules["package"].__all__) == _classes(modules["module"])


def test_package_accepts_and_gives_back_the_same(sides: Any) -> None:
    _, texts, _, modules = sides
    synth = Synthesizer(texts.document)
    problems, compared = [], 0
    for name, schema in synth.schemas.items():
        kind = _kind(getattr(modules["module"], name, None))
        if kind not in ("model", "enum"):
            continue
        for variant, sample in _samples(synth, name, schema, kind):
            want, got = (_evaluate(getattr(modules[side], name), kind, sample) for side in ("module", "package"))
            compared += 1
            if (want.accepted, want.dump, want.shape) != (got.accepted, got.dump, got.shape):
                problems.append(f"{name} [{variant}]: module {want}, package {got}")
            elif want.accepted and kind == "model":
                one = getattr(modules["module"], name).model_validate(sample)
                other = getattr(modules["package"], name).model_validate(sample)
                if _class_names(one) != _class_names(other):
                    problems.append(f"{name} [{variant}]: nested classes differ")
    assert compared, "no samples compared"
    assert not problems, "\n".join(problems[:20])


def _class_names(value: Any) -> Any:
    if isinstance(value, pydantic.BaseModel):
        fields = {k: _class_names(getattr(value, k)) for k in sorted(value.model_fields_set)}
        return type(value).__name__, fields
    if isinstance(value, list | tuple):
        return [_class_names(v) for v in value]
    if isinstance(value, dict):
        return {k: _class_names(v) for k, v in value.items()}
    return type(value).__name__


def test_module_imports_never_cycle(sides: Any) -> None:
    _, _, split, _ = sides
    edges = {
        rel.removeprefix("models/").removesuffix(".py"): {
            node.module
            for node in ast.parse(text).body
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
        }
        for rel, text in split.items()
        if rel.endswith(".py") and not rel.endswith("__init__.py")
    }
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        if state.get(module) == 2:
            return
        assert state.get(module) != 1, f"import cycle: {' -> '.join([*path, module])}"
        state[module] = 1
        for dep in edges.get(module, ()):
            visit(dep, [*path, module])
        state[module] = 2

    for module in edges:
        visit(module, [])


def test_one_name_loads_only_the_modules_it_needs(tmp_path: Path) -> None:
    texts = _texts(ROOT / "tests" / "fixtures" / "specs" / "petstore.yaml")
    split = _split(texts, dict.fromkeys(texts.expected, ()))
    modules = [rel for rel in split if rel.endswith(".py") and not rel.endswith("__init__.py")]
    assert len(modules) > 2
    _write(tmp_path, "lazy_pkg", split)
    probe = textwrap.dedent(
        """
        import json, sys
        import lazy_pkg.models as models
        before = sorted(m for m in sys.modules if m.startswith("lazy_pkg.models."))
        models.Pet
        after = sorted(m for m in sys.modules if m.startswith("lazy_pkg.models."))
        print(json.dumps([before, after, "Pet" in vars(models)]))
        """
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    before, after, cached = __import__("json").loads(done.stdout)
    assert before == []
    assert 0 < len(after) < len(modules), after
    assert cached, "a name once loaded is a plain module attribute"


def test_type_checkers_see_every_name_and_no_other(tmp_path: Path) -> None:
    texts = _texts(ROOT / "tests" / "fixtures" / "specs" / "recursive.yaml")
    split = _split(texts)
    _write(tmp_path, "typed_pkg", split)
    (tmp_path / "typed_pkg" / "py.typed").write_text("", encoding="utf-8")
    stub = ast.parse(split["models/__init__.pyi"])
    names = sorted(a.asname or a.name for node in stub.body if isinstance(node, ast.ImportFrom) for a in node.names)
    assert names, "the stub names the models"
    usage = "from typed_pkg.models import " + ", ".join(names) + "\n\nprint(" + ", ".join(names) + ")\n"
    (tmp_path / "usage.py").write_text(usage, encoding="utf-8")
    (tmp_path / "wrong.py").write_text("from typed_pkg.models import NoSuchModel\n", encoding="utf-8")
    mypy = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".mypy")]
    good = subprocess.run([*mypy, "typed_pkg", "usage.py"], cwd=tmp_path, capture_output=True, text=True)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = subprocess.run([*mypy, "wrong.py"], cwd=tmp_path, capture_output=True, text=True)
    assert bad.returncode != 0 and "NoSuchModel" in bad.stdout, bad.stdout


def test_pipeline_writes_the_package_from_the_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = ROOT / "tests" / "fixtures" / "specs" / "recursive.yaml"
    files = generate_package(spec, models="builtin").files
    assert any(rel.endswith("/models.py") for rel in files), "under the threshold models stay one module"
    monkeypatch.setattr("codegen.pipeline.SPLIT_FROM_SCHEMAS", 0)
    files = generate_package(spec, models="builtin").files
    assert not any(rel.endswith("/models.py") for rel in files)
    assert any(rel.endswith("/models/__init__.pyi") for rel in files)
    assert SPLIT_FROM_SCHEMAS >= 100


def test_release_surface_reads_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    from codegen.surface.extract import extract_surface

    spec = ROOT / "tests" / "fixtures" / "specs" / "recursive.yaml"
    single = extract_surface(generate_package(spec, models="builtin"))["models"]
    monkeypatch.setattr("codegen.pipeline.SPLIT_FROM_SCHEMAS", 0)
    split = extract_surface(generate_package(spec, models="builtin"))["models"]
    assert single and split == single


def test_module_names_never_shadow_the_index(tmp_path: Path) -> None:
    """Model modules are `_` + the snake_case class name: classes called like the index's own
    helpers (`Modules`, `Index`, `Names`, `ModuleOf`) must not replace them when imported."""
    names = ["Modules", "Index", "Names", "ModuleOf", "Importlib", "Annotations", "Getattr"]
    schema = {"type": "object", "properties": {"value": {"type": "integer"}}}
    classes = Emitter({"components": {"schemas": dict.fromkeys(names, schema)}}).build()
    split = split_models(classes, "# header\n", dict.fromkeys(names, ()))
    assert f"models/{'_module_of'}.py" in split
    _write(tmp_path, "shadow_pkg", split)
    probe = (
        "import shadow_pkg.models as m\n"
        f"for name in {names!r}:\n    assert getattr(m, name).__name__ == name\n"
        f"assert sorted(m.__all__) == {sorted(names)!r}\n"
        "assert set(m.__all__) <= set(dir(m))\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr


def test_a_base_field_a_child_makes_required_is_imported_where_the_child_lives(tmp_path: Path) -> None:
    """A child class that only makes a base's optional field required redeclares it with the
    base's type: the child's module must import that type, not find it by chance."""
    schemas = {
        "Interval": {"type": "string", "enum": ["WEEKLY", "MONTHLY"]},
        "ScheduleBase": {"type": "object", "properties": {"interval": {"$ref": "#/components/schemas/Interval"}}},
        "ScheduleRequest": {
            "allOf": [{"$ref": "#/components/schemas/ScheduleBase"}, {"type": "object"}],
            "required": ["interval"],
        },
    }
    classes = Emitter({"components": {"schemas": schemas}}).build()
    split = split_models(classes, "# header\n", dict.fromkeys(schemas, ()))
    _write(tmp_path, "required_pkg", split)
    probe = (
        "from required_pkg.models import ScheduleRequest\nprint(ScheduleRequest(interval='WEEKLY').interval.value)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    assert done.stdout.strip() == "WEEKLY", done.stderr


def test_split_modules_carry_isorts_imports_as_written(tmp_path: Path) -> None:
    """The pipeline only formats them, without ruff's lint pass: formatted, they must pass it."""
    for spec in WITH_SCHEMAS:
        for rel, text in _split(_texts(spec)).items():
            target = tmp_path / re.sub(r"\W", "_", spec.stem) / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff"]
    config = ["--no-cache", "--config", str(ROOT / "codegen" / "ruff.toml")]
    subprocess.run([*ruff, "format", *config, "--quiet", "."], cwd=tmp_path, check=True)
    found = subprocess.run(
        [*ruff, "check", *config, "--output-format", "concise", "."], cwd=tmp_path, capture_output=True, text=True
    )
    assert found.returncode == 0, found.stdout[-3000:]
