"""Golden snapshots of the fixture specs: what each template feature renders to.

Runtime files are the same copy in every package and are pinned by the curated packages' golden
check, so snapshots keep only what the templates and the model generator produce.
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
    files = generate_package(spec).files
    return {
        rel: text
        for rel, text in files.items()
        if not (rel.count("/") == 2 and rel.rsplit("/", 1)[1] in _RUNTIME_NAMES)
    }


def snapshot_dir(spec: Path) -> Path:
    return SNAPSHOTS / spec.stem
