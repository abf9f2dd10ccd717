"""Byte-reproducible sdists and wheels of generated packages.

`python -m build`, as users' tools build: the sdist first, then the wheel from the sdist. The bytes
depend only on the package's files. The backend is pinned in the package's pyproject (another
hatchling may write other bytes); hatchling fixes file modes and owners and takes every timestamp
from SOURCE_DATE_EPOCH, set here to a fixed value when the environment does not choose one; and the
build reads a clean copy of the tree, so the source folder's path, umask and stray caches
(`__pycache__` left by tests) cannot reach the archives.

The backend comes from the running environment (the dev extras pin the same hatchling; `build`
refuses when it does not match the package's pin) rather than a fresh isolated one per archive,
which cost 7 s a package; `isolated=True` builds as a bare `python -m build` does, with the same
bytes, which the reproducibility test checks.

    python -m codegen.release.build OUT_DIR PACKAGE_DIR...
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ..output.write import read_tree

# 2020-02-02, hatchling's own fallback: a bare `python -m build` without the variable agrees.
DEFAULT_SOURCE_DATE_EPOCH = "1580601600"


def build_env() -> dict[str, str]:
    env = dict(os.environ)
    if not env.get("SOURCE_DATE_EPOCH"):
        env["SOURCE_DATE_EPOCH"] = DEFAULT_SOURCE_DATE_EPOCH
    return env


def build_package(package_dir: Path, out_dir: Path, *, isolated: bool = False) -> tuple[Path, Path]:
    """(sdist, wheel) of one package, written into out_dir."""
    files = read_tree(package_dir)
    if "pyproject.toml" not in files:
        raise FileNotFoundError(f"{package_dir} has no pyproject.toml")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="codegen-build-") as scratch:
        source = Path(scratch) / "package"
        for rel, text in files.items():
            target = source / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8", errors="surrogateescape"))
            target.chmod(0o644)
        built = Path(scratch) / "dist"
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "build",
                *([] if isolated else ["--no-isolation"]),
                "--outdir",
                str(built),
                str(source),
            ],
            capture_output=True,
            text=True,
            env=build_env(),
            check=False,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"building {package_dir} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        sdists, wheels = sorted(built.glob("*.tar.gz")), sorted(built.glob("*.whl"))
        if len(sdists) != 1 or len(wheels) != 1:
            raise RuntimeError(f"expected one sdist and one wheel from {package_dir}, got {sorted(built.iterdir())}")
        results = []
        for artefact in (sdists[0], wheels[0]):
            final = out_dir / artefact.name
            final.write_bytes(artefact.read_bytes())
            final.chmod(0o644)
            results.append(final)
    return results[0], results[1]


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: python -m codegen.release.build OUT_DIR PACKAGE_DIR...", file=sys.stderr)
        return 2
    out_dir = Path(argv[0])
    for package in argv[1:]:
        for artefact in build_package(Path(package), out_dir):
            print(artefact)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
