"""No import runs against the pipeline's flow (docs/architecture.md): a stage imports only the
stages before it and the shared modules; the shared modules import no stage."""

from __future__ import annotations

import ast
from pathlib import Path

CODEGEN = Path(__file__).resolve().parents[2] / "codegen"
# The order of the stages; what comes later may import what comes earlier.
ORDER = {
    "spec": 0,
    "prepare": 1,
    "ir": 2,
    "types": 3,
    "lower": 4,
    "models": 5,
    "render": 6,
    "output": 7,
    "beside": 8,  # the pipeline's checking and formatting
    "pipeline": 8,
    "surface": 9,  # commands built on the pipeline
    "release": 9,
    "cli": 10,
}
# The pipeline reads a package's release record (its version and changelog), whose entries are
# surface changes: both come before the pipeline, whatever their package does otherwise.
INPUTS = {"release.record": 7, "surface.changes": 7}
SHARED = {"diagnostics", "naming", "reserved", "pytext", "progress", "isort", "forked", "paths"}


def _level(module: list[str]) -> int | None:
    dotted = ".".join(module)
    for prefix, level in INPUTS.items():
        if dotted == prefix or dotted.startswith(prefix + "."):
            return level
    return ORDER.get(module[0]) if module else None


def _imports(path: Path) -> list[list[str]]:
    """Modules (inside codegen, as path parts) the file imports."""
    rel = list(path.relative_to(CODEGEN).with_suffix("").parts)
    package = rel[:-1]
    found: list[list[str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            if node.module:
                found.append(base + node.module.split("."))
            else:
                found.extend(base + [alias.name] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("codegen."):
            found.append((node.module or "").split(".")[1:])
    return found


def test_no_import_runs_against_the_flow() -> None:
    against: list[str] = []
    for path in sorted(CODEGEN.rglob("*.py")):
        rel = list(path.relative_to(CODEGEN).with_suffix("").parts)
        if rel == ["__init__"]:
            continue
        here = _level(rel)
        for target in _imports(path):
            if not target or target[0] in SHARED or target == ["__init__"] or target[0] == "__version__":
                continue
            if rel[0] in SHARED:
                against.append(f"{'/'.join(rel)} (shared) imports {'.'.join(target)}")
                continue
            there = _level(target)
            if here is not None and there is not None and there > here:
                against.append(f"{'/'.join(rel)} imports {'.'.join(target)}")
    assert not against, "\n".join(against)


def test_every_module_belongs_to_a_stage_or_is_shared() -> None:
    loose = [
        "/".join(path.relative_to(CODEGEN).parts)
        for path in CODEGEN.rglob("*.py")
        if path.relative_to(CODEGEN).parts[0].removesuffix(".py") not in {*ORDER, *SHARED, "__init__"}
    ]
    assert not loose, loose


def test_the_command_line_leaves_the_lowering_and_rendering_libraries_to_the_run() -> None:
    """A large spec's copy is forked once the command line is imported (pipeline._generate): what
    only the lowering process needs (pydantic for x-sdk, jinja2, the IR's dataclasses) is
    imported after the fork, by that process alone."""
    import subprocess
    import sys

    probe = "import sys, codegen.cli; print(sorted({'pydantic', 'jinja2', 'codegen.ir.nodes'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout


def test_the_model_writing_copy_loads_neither_jinja2_nor_pydantic_nor_pyyaml() -> None:
    """The copy that writes a large spec's models loads a JSON spec without PyYAML and builds,
    checks and formats them without the renderer's or the lowering's libraries: it would pay
    for their import on its core."""
    import subprocess
    import sys

    probe = (
        "import sys, codegen.cli, codegen.models.builtin; from codegen import beside; "
        "beside._modules({'src/p/_types.py': 'x = 1', 'src/p/models/_a.py': 'y = 2'}); "
        "from codegen.spec.load import parse_document; parse_document('{\"a\": 1}', 'x.json'); "
        "print(sorted({'pydantic', 'jinja2', 'yaml'} & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
