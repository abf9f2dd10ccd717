"""Wheels and sdists of both generated packages, built once per session into a temporary folder.

codegen/release/build.py is what `make wheels` and `make publish` use: `python -m build` in an
isolated environment with the pinned hatchling from the registry, the sdist first and the wheel
built from the sdist, so a file missing from the sdist breaks the wheel too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from codegen.release.build import build_package

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
        sdist, wheel = build_package(ROOT / "generated" / folder, out)
        stem = distribution.replace("-", "_")
        assert wheel.name.startswith(f"{stem}-") and sdist.name.startswith(f"{stem}-"), (sdist, wheel)
        result[folder] = Built(folder, package, distribution, wheel, sdist)
    return result
