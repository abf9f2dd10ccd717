"""The typing the call surface promises, checked from the other side: mypy rejects each line of
rejected_usage.py ending in a "rejected" comment, and nothing else in it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PACKAGES_ROOT

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "rejected_usage.py"


@pytest.mark.slow
def test_mypy_rejects_each_marked_line(tmp_path: Path) -> None:
    env = {**os.environ, "MYPYPATH": f"{PACKAGES_ROOT / 'reloop' / 'src'}:{PACKAGES_ROOT / 'reply' / 'src'}"}
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path), "--no-error-summary", str(SAMPLE)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    errors = {int(m.group(1)) for m in re.finditer(r"rejected_usage\.py:(\d+): error", done.stdout)}
    lines = SAMPLE.read_text().splitlines()
    marked = {i for i, line in enumerate(lines, start=1) if "# rejected" in line}
    assert marked, "no marked lines"
    assert marked - errors == set(), f"accepted but should be rejected: {sorted(marked - errors)}\n{done.stdout}"
    assert errors - marked == set(), f"unexpected errors: {sorted(errors - marked)}\n{done.stdout}"
