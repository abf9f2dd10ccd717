"""Wheels and sdists of both generated packages, built once per session into a temporary folder.

`python -m build` is the same front end `make wheels` uses: an isolated build environment with
hatchling from the registry, the sdist first and the wheel built from the sdist, so a file missing
from the sdist breaks the wheel too.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"reloop": ("reloop", "reloop-client"), "reply": ("replyio", "replyio-client")}


@dataclass(frozen=True)
class Built:
    folder: str  # generated/<folder>
    package: str  # import name
    distribution: str
    wheel: Path
    sdist: Path


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    out = tmp_path_factory.mktemp("dist")
    result: dict[str, Built] = {}
    for folder, (package, distribution) in PACKAGES.items():
        proc = subprocess.run(
            [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT / "generated" / folder)],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert proc.returncode == 0, (
            f"python -m build failed for {folder}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
        stem = distribution.replace("-", "_")
        wheels = sorted(out.glob(f"{stem}-*.whl"))
        sdists = sorted(out.glob(f"{stem}-*.tar.gz"))
        assert len(wheels) == 1 and len(sdists) == 1, (
            f"expected one wheel and one sdist of {distribution}: {list(out.iterdir())}"
        )
        result[folder] = Built(folder, package, distribution, wheels[0], sdists[0])
    return result
