"""Drift guard: committed output must be exactly what specs and templates produce."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from snapshots import fixture_specs, snapshot_dir, snapshot_files  # noqa: E402

from codegen.output.write import (
    read_tree,  # noqa: E402
    tree_diff,  # noqa: E402
)
from codegen.pipeline import (  # noqa: E402
    CURATED,
    ROOT,
    generate_package,  # noqa: E402
)


@pytest.mark.parametrize("name", sorted(CURATED))
def test_generated_tree_matches_specs_and_templates(name: str) -> None:
    diff = tree_diff(read_tree(ROOT / "generated" / name), generate_package(CURATED[name]).files, f"generated/{name}")
    assert not diff, f"generated/{name} is stale; run `make generate`:\n{diff[:20000]}"


@pytest.mark.parametrize("spec", fixture_specs(), ids=lambda p: p.stem)
def test_fixture_snapshot(spec: Path) -> None:
    diff = tree_diff(read_tree(snapshot_dir(spec)), snapshot_files(spec), f"snapshots/{spec.stem}")
    assert not diff, f"snapshot of {spec.name} differs; run `make snapshots` if intended:\n{diff[:20000]}"


def test_generation_is_deterministic() -> None:
    spec = fixture_specs()[0]
    assert generate_package(spec).files == generate_package(spec).files
