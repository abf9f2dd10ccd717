"""Two builds of one package give the same bytes: from two copies at different paths, under
different umasks, with SOURCE_DATE_EPOCH unset and set to what the build step uses by default, one
with the development environment's backend and one isolated, as a bare `python -m build`."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from codegen.release.build import DEFAULT_SOURCE_DATE_EPOCH

from .conftest import ROOT

# Builds in a child process: the umask is process-wide and must not leak into other tests.
BUILD = """
import os, sys
from pathlib import Path
os.umask(int(sys.argv[1], 8))
from codegen.release.build import build_package
for path in build_package(Path(sys.argv[2]), Path(sys.argv[3]), isolated=sys.argv[4] == "isolated"):
    print(path)
"""


def _copy(target: Path, umask: int) -> Path:
    shutil.copytree(ROOT / "generated" / "reloop", target)
    # Modes as a checkout under that umask would leave them (copytree keeps the source's).
    for path in [target, *target.rglob("*")]:
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)
    # A clone that has been used: caches and a later checkout time must not matter.
    (target / "src" / "reloop" / "__pycache__").mkdir(exist_ok=True)
    (target / "src" / "reloop" / "__pycache__" / "stray.pyc").write_bytes(b"junk")
    later = time.time() + 86400
    for path in target.rglob("*"):
        os.utime(path, (later, later))
    return target


def _build(source: Path, out: Path, umask: str, epoch: str | None, isolation: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = epoch
    proc = subprocess.run(
        [sys.executable, "-c", BUILD, umask, str(source), str(out), isolation],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=env,
        cwd=source.parent,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {Path(line).name: hashlib.sha256(Path(line).read_bytes()).hexdigest() for line in proc.stdout.split()}


def test_builds_are_byte_identical(tmp_path: Path) -> None:
    first = _copy(tmp_path / "one" / "reloop", 0o022)
    second = _copy(tmp_path / "elsewhere" / "deeper" / "clone-b", 0o077)
    a = _build(first, tmp_path / "dist-a", "022", None, "shared")
    b = _build(second, tmp_path / "dist-b", "077", DEFAULT_SOURCE_DATE_EPOCH, "isolated")
    assert len(a) == 2 and any(n.endswith(".whl") for n in a) and any(n.endswith(".tar.gz") for n in a)
    assert a == b


def test_the_backend_pin_is_the_one_builds_use() -> None:
    template = (ROOT / "templates" / "package" / "pyproject.toml.j2").read_text()
    dev = (ROOT / "pyproject.toml").read_text()
    pins = re.findall(r'"(hatchling==[^"]+)"', template)
    assert len(pins) == 1 and f'"{pins[0]}"' in dev, "pin the same hatchling in the dev extras"
