"""Write a rendered tree: only changed files, stale files removed, each file replaced atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def read_tree(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        # Caches of tools run inside the tree are not part of it.
        if not path.is_file() or any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        out[rel.as_posix()] = path.read_bytes().decode("utf-8", errors="surrogateescape")
    return out


def write_tree(root: Path, files: dict[str, str]) -> tuple[int, int]:
    """(files written, files removed). Everything was rendered before this runs, so a failed
    generation never gets here and leaves the tree as it was."""
    existing = read_tree(root)
    written = removed = 0
    for rel, text in sorted(files.items()):
        if existing.get(rel) == text:
            continue
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, target)
        written += 1
    for rel in sorted(set(existing) - set(files)):
        (root / rel).unlink()
        removed += 1
    for directory in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
        if directory.name != "__pycache__" and not any(directory.iterdir()):
            directory.rmdir()
    return written, removed
