"""Format generated Python with the pinned ruff: `check --fix`, then `format`."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from ..diagnostics import Diagnostic, SpecError

RUFF_CONFIG = Path(__file__).resolve().parent.parent / "ruff.toml"


@cache
def _ruff() -> list[str]:
    # The pinned ruff's binary itself: `python -m ruff` would start an interpreter to find it,
    # twice per run.
    try:
        from ruff import find_ruff_bin

        return [str(find_ruff_bin())]
    except (ImportError, FileNotFoundError):
        return [sys.executable, "-m", "ruff"]


def format_tree(files: dict[str, str]) -> dict[str, str]:
    """The same files with every .py fixed and formatted; other files unchanged."""
    with tempfile.TemporaryDirectory(prefix="codegen-ruff-") as tmp:
        root = Path(tmp)
        for rel, text in files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        for args in (["check", "--fix-only", "--exit-zero", "--quiet", "."], ["format", "."]):
            done = subprocess.run(
                [*_ruff(), args[0], "--config", str(RUFF_CONFIG), *args[1:]],
                cwd=root,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                detail = (done.stderr.strip() or done.stdout.strip())[:2000]
                raise SpecError([Diagnostic("<generated>", None, "", f"ruff {args[0]} failed: {detail}")])
        return {rel: (root / rel).read_text(encoding="utf-8") for rel in files}
