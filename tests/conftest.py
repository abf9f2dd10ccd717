"""Test-wide setup: the curated packages are rendered from specs/ and templates/ into a temporary
folder once per session and imported from there, so a change to templates/runtime/ or a template
is tested at once, before `make generate`. The committed generated/ is checked against the same
render by the golden tests and `codegen check`; packaging and typing checks read it directly.

`CODEGEN_TEST_COMMITTED=1` imports the committed copies instead (to test exactly what is shipped).
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CURATED_SPECS = {"reloop": ROOT / "specs" / "reloop.yaml", "reply": ROOT / "specs" / "reply.yaml"}
MARKERS = {
    "prism": "starts Prism (npm) mock servers",
    "redis": "starts a real redis-server",
    "realclock": "waits on the real clock (windows of a fraction of a second)",
    "slow": "runs external tools (mypy, builds, validators) or long property tests",
}


def _render_curated() -> Path:
    from codegen.output.write import write_tree
    from codegen.pipeline import generate_package

    # "generated" in the path: subprocess tests pick the packages' folders from sys.path by it.
    out = Path(tempfile.mkdtemp(prefix="codegen-tests-")) / "generated"
    atexit.register(shutil.rmtree, out.parent, True)
    for name, spec in CURATED_SPECS.items():
        write_tree(out / name, generate_package(spec).files)
    return out


def _package_root() -> Path:
    if os.environ.get("CODEGEN_TEST_COMMITTED") == "1":
        return ROOT / "generated"
    return _render_curated()


PACKAGES_ROOT = _package_root()
for src in (PACKAGES_ROOT / "reloop" / "src", PACKAGES_ROOT / "reply" / "src"):
    if str(src) not in sys.path:
        sys.path.insert(0, str(src))


def pytest_configure(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
