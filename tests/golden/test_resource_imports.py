"""Resource modules come out of the templates importing exactly what they use, in isort's order
(codegen/render/imports.py): ruff's lint pass then has nothing to fix in them, nor in the runtime's
modules, and a run leaves them out of it (render.lint_clean). Checked before formatting, as ruff's
lint pass would see them in a run. Both ways a resource module can import the models are checked:
by name, and for a split models package through the package, the names for type checkers only."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_builtin_models import SPECS  # noqa: E402

from codegen.lower import lower  # noqa: E402
from codegen.prepare import prepare  # noqa: E402
from codegen.render import lint_clean, render_package  # noqa: E402
from codegen.spec.load import load_spec  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
# Each import a resource module may or may not need: the specs must show both sides of each.
OPTIONAL = (
    "import builtins",
    "import collections.abc as abc",
    "import datetime",
    "import warnings",
    "TYPE_CHECKING",
    "Literal",
    "JOB_SCHEME",
    "PAGE_SCHEME",
    "FileInput",
    "from ..models import",
)
LAZY = pytest.mark.parametrize("lazy", [False, True], ids=["models-by-name", "models-through-package"])


def _resource_modules(tmp_path: Path, lazy: bool) -> dict[Path, str]:
    written: dict[Path, str] = {}
    for spec in SPECS:
        loaded = load_spec(spec)
        prepared = prepare(loaded)
        for rel, text in render_package(lower(loaded, prepared, package_name=None), lazy_models=lazy).items():
            if "/resources/" in rel and not rel.endswith("__init__.py"):
                target = tmp_path / spec.stem / Path(rel).name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
                written[target] = text
    return written


@LAZY
def test_resource_modules_leave_ruffs_lint_pass_nothing_to_fix(tmp_path: Path, lazy: bool) -> None:
    modules = _resource_modules(tmp_path, lazy)
    found = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(ROOT / "codegen" / "ruff.toml")]
        + ["--output-format", "concise", "--select", "F401,I001", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert found.returncode == 0, found.stdout[-3000:]
    optional = (*OPTIONAL, "from .. import models as _model_types") if lazy else OPTIONAL
    for line in optional:
        with_it = [path for path, text in modules.items() if line in text.split("__all__", 1)[0]]
        assert 0 < len(with_it) < len(modules), f"{line!r} is in {len(with_it)} of {len(modules)} modules"


@LAZY
def test_the_modules_a_run_leaves_out_of_the_lint_pass_give_it_nothing_to_fix(tmp_path: Path, lazy: bool) -> None:
    left_out = 0
    for spec in SPECS:
        loaded = load_spec(spec)
        package = lower(loaded, prepare(loaded), package_name=None)
        files = render_package(package, lazy_models=lazy)
        clean = lint_clean(files, package.package)
        assert any("/resources/" in rel for rel in clean) and any("/_base_client.py" in rel for rel in clean)
        for rel in clean:
            target = tmp_path / spec.stem / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(files[rel], encoding="utf-8")
            left_out += 1
        first_party = f"lint.isort.known-first-party = [{package.package!r}]"
        found = subprocess.run(
            [sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(ROOT / "codegen" / "ruff.toml")]
            + ["--config", first_party, "--fix-only", "--diff", "."],
            cwd=tmp_path / spec.stem,
            capture_output=True,
            text=True,
        )
        assert found.returncode == 0 and not found.stdout.strip(), found.stdout[-3000:]
    assert left_out > 50
