"""Every fixture package passes the pinned ruff and mypy --strict, as the curated packages do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codegen.output.format import RUFF_CONFIG

from .conftest import SPECS


def _all_fixture_roots(fixture_package: Any) -> list[Path]:
    stems = sorted(p.stem for p in SPECS.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
    return [fixture_package(stem).root for stem in stems]


@pytest.mark.slow
def test_ruff_and_mypy_strict(fixture_package: Any, tmp_path: Path) -> None:
    roots = _all_fixture_roots(fixture_package)
    for args in (["check"], ["format", "--check"]):
        done = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--config", str(RUFF_CONFIG), *map(str, roots)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    packages = [next((root / "src").iterdir()).name for root in roots]
    env = {**os.environ, "MYPYPATH": os.pathsep.join(str(root / "src") for root in roots)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(tmp_path / "mypy"),
            *[arg for name in packages for arg in ("-p", name)],
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
