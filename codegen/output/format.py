"""Format generated Python with the pinned ruff: `check --fix`, then `format`."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
from functools import cache
from pathlib import Path

from ..diagnostics import Diagnostic, SpecError

RUFF_CONFIG = Path(__file__).resolve().parent.parent / "ruff.toml"
# Memory-backed, where the system has it. ruff rewrites each file in place (truncate, write); on a
# disk file system such as ext4 that forces the blocks out and removing them again costs more than
# the formatting itself: 3.1 s of GitHub's 1,420 files against 0.02 s in memory.
_MEMORY_TMP = Path("/dev/shm")


@cache
def _ruff() -> list[str]:
    # The pinned ruff's binary itself: `python -m ruff` would start an interpreter to find it,
    # twice per run.
    try:
        from ruff import find_ruff_bin

        return [str(find_ruff_bin())]
    except (ImportError, FileNotFoundError):
        return [sys.executable, "-m", "ruff"]


def format_tree(files: dict[str, str], package: str | None = None) -> dict[str, str]:
    """The same files with every .py fixed and formatted; other files unchanged. Imports of
    `package` sort as first-party."""
    return start_format(files, package).result()


def start_format(
    files: dict[str, str], package: str | None = None, *, sorted_already: frozenset[str] = frozenset()
) -> PendingFormat:
    """Formats the files in the background: ruff is a process of its own, so the caller's Python
    work (the next stage, the compile check) goes on beside it. Files in `sorted_already` skip the
    lint pass (`check --fix`): their writer gives them exactly the imports isort would."""
    return PendingFormat(files, package, sorted_already)


class PendingFormat:
    def __init__(self, files: dict[str, str], package: str | None, sorted_already: frozenset[str]) -> None:
        self._files = files
        self._linted = sorted(rel for rel in files if rel not in sorted_already and rel.endswith((".py", ".pyi")))
        # Named, not found: ruff would look for the package among the files it is given, and the
        # models are formatted apart from the modules that import them.
        self._first_party = ["--config", f"lint.isort.known-first-party = [{package!r}]"] if package else []
        self._outcome: dict[str, str] | BaseException | None = None
        # Found here, in the caller's thread: ruff's finder reads sysconfig, whose first use fills a
        # global table unguarded, and two formatting threads doing that at once could see it half
        # filled (an intermittent "can only concatenate str (not 'NoneType')").
        self._command = _ruff()
        self._thread = threading.Thread(target=self._run, name="codegen-ruff", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._outcome = _format(self._files, self._linted, self._command, self._first_party)
        except BaseException as exc:  # noqa: BLE001 - handed to the thread that asks for the result
            self._outcome = exc

    def wait(self) -> None:
        """Until ruff is done and its scratch files are gone, whatever came of it."""
        self._thread.join()

    def result(self) -> dict[str, str]:
        self._thread.join()
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        assert self._outcome is not None
        return self._outcome


def _format(files: dict[str, str], linted: list[str], ruff: list[str], options: list[str]) -> dict[str, str]:
    size = sum(len(text) for text in files.values())
    place = _scratch_parent(size)
    try:
        return _format_in(files, linted, place, ruff, options)
    except OSError:
        if place is None:
            raise
        return _format_in(files, linted, None, ruff, options)  # the memory file system was full after all


def _scratch_parent(size: int) -> str | None:
    """A memory file system with room for the files several times over, else the default."""
    try:
        stats = os.statvfs(_MEMORY_TMP)
    except (OSError, AttributeError):
        return None
    room = stats.f_bavail * stats.f_frsize
    return str(_MEMORY_TMP) if room > 4 * size + (64 << 20) and os.access(_MEMORY_TMP, os.W_OK) else None


def _format_in(
    files: dict[str, str], linted: list[str], parent: str | None, ruff: list[str], options: list[str]
) -> dict[str, str]:
    with tempfile.TemporaryDirectory(prefix="codegen-ruff-", dir=parent) as tmp:
        root = Path(tmp)
        made: set[str] = set()
        for rel, text in files.items():
            folder = rel.rpartition("/")[0]
            if folder not in made:
                os.makedirs(os.path.join(tmp, folder), exist_ok=True)
                made.add(folder)
            with open(os.path.join(tmp, rel), "w", encoding="utf-8") as handle:
                handle.write(text)
        everything = len(linted) == sum(rel.endswith((".py", ".pyi")) for rel in files)
        check = ["check", "--fix-only", "--exit-zero", "--quiet", *(["."] if everything else linted)]
        for args in [check] * bool(linted) + [["format", "."]]:
            done = subprocess.run(
                [*ruff, args[0], "--no-cache", "--config", str(RUFF_CONFIG), *options, *args[1:]],
                cwd=root,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                detail = (done.stderr.strip() or done.stdout.strip())[:2000]
                raise SpecError([Diagnostic("<generated>", None, "", f"ruff {args[0]} failed: {detail}")])
        return {rel: _read(os.path.join(tmp, rel)) for rel in files}


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()
