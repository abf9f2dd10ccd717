"""Golden snapshots of the fixture specs: what each template feature renders to.

Runtime files are the same copy in every package and are pinned by the curated packages' golden
check, so snapshots keep only what the templates and the model generator produce. Beside the
package, `models_builtin.py` is the models module the builtin emitter writes for the same spec.
"""

from __future__ import annotations

from pathlib import Path

from codegen.pipeline import generate_package
from codegen.render import RUNTIME

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SPECS = FIXTURES / "specs"
SNAPSHOTS = FIXTURES / "snapshots"
_RUNTIME_NAMES = {p.name for p in RUNTIME.glob("*.py")}


def fixture_specs() -> list[Path]:
    return sorted(p for p in SPECS.iterdir() if p.suffix in (".yaml", ".yml", ".json"))


def snapshot_files(spec: Path) -> dict[str, str]:
    files = generate_package(spec, models="datamodel-code-generator").files
    snapshot = {
        rel: text
        for rel, text in files.items()
        if not (rel.count("/") == 2 and rel.rsplit("/", 1)[1] in _RUNTIME_NAMES)
    }
    builtin = generate_package(spec, models="builtin").files
    snapshot["models_builtin.py"] = next(
        t for rel, t in builtin.items() if rel.count("/") == 2 and rel.endswith("/models.py")
    )
    return snapshot


def snapshot_dir(spec: Path) -> Path:
    return SNAPSHOTS / spec.stem
