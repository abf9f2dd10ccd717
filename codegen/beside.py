"""Checking and formatting beside the Python stages: every generated module must compile
(output/compiled.py) and is formatted by ruff, each in a process of its own."""

from __future__ import annotations

import os
from collections.abc import Collection
from functools import cache

from .diagnostics import Diagnostic, Processing, SpecError, processing
from .output import compiled
from .output.format import PendingFormat, start_format
from .paths import RUNTIME


def check_compiles(files: dict[str, str], package: str) -> None:
    """SpecError unless every module compiles and imports only what the package may
    (output/compiled.py)."""
    _raise_problems(compiled.problems(_modules(files), package))


def _start_compile_check(
    files: dict[str, str],
    package: str,
    processes: int = 1,
    started: compiled.Workers | None = None,
    *,
    here: bool = False,
) -> compiled.PendingCheck:
    return compiled.PendingCheck(_modules(files), package, processes, started, here=here)


def _raise_problems(found: list[compiled.Problem]) -> None:
    if found:
        raise SpecError(
            [
                Diagnostic(rel, line, Processing.pointer, f"internal error: generated {rel} {what}")
                for rel, line, what in found
            ]
        )


# Check processes a large package's last batch takes: a part a core but the one this process checks.
_AWAY = max(1, (os.cpu_count() or 1) - 1)


def _modules(files: dict[str, str]) -> dict[str, str]:
    return {
        rel: text for rel, text in files.items() if rel.endswith((".py", ".pyi")) and not _verbatim_runtime(rel, text)
    }


@cache
def _runtime_sources() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in RUNTIME.glob("*.py")}


def _verbatim_runtime(rel: str, text: str) -> bool:
    """A runtime module copied as it is under its header comment: the tests compile and import
    the runtime once, so a run need not compile it for every package."""
    source = _runtime_sources().get(rel.rsplit("/", 1)[-1])
    if source is None or not text.endswith(source):
        return False
    head = text[: len(text) - len(source)]
    return all(not line.strip() or line.lstrip().startswith("#") for line in head.splitlines())


class Beside:
    """Checking and formatting, each in a process of its own, running beside the Python stages:
    the resource modules while the models are written, the models while the run winds up."""

    # A smaller batch waits for the next one: starting ruff twice would cost a small spec more
    # than the overlap saves.
    _ALONE_FROM = 1 << 20  # characters

    def __init__(self, package: str, *, large: bool = False, models: bool = True) -> None:
        """`large`: a package known to be large, whose check processes start now. `models`: false
        where another process writes the models, so that no batch is left to start processes for."""
        self._models = models
        self._package = package
        self._checks: list[tuple[compiled.PendingCheck, str]] = []
        self._formats: list[PendingFormat] = []
        self._held: dict[str, str] = {}
        self._sorted: set[str] = set()
        self._workers: compiled.Workers | None = compiled.Workers(_AWAY) if large else None
        self.models_dir = f"src/{package}/"
        self._checked: set[str] = set()  # modules whose check has started

    def add(self, files: dict[str, str], *, last: bool = False, sorted_already: Collection[str] = ()) -> None:
        """`sorted_already`: files (of these) whose imports are as isort writes them and which ruff's
        lint pass has nothing else to fix in: ruff only formats them."""
        self._held |= files
        self._sorted.update(sorted_already)
        if last or sum(len(text) for text in self._held.values()) >= self._ALONE_FROM:
            batch, self._held = self._held, {}
            if not batch:
                return
            # The last batch has the machine to itself (the run waits for it): its check takes a
            # part a core, beside ruff's threads, one of them in this process, which would only
            # wait. An earlier batch leaves the others to the run, or, where another process
            # writes the models, is checked here while this one waits for them.
            processes = (os.cpu_count() or 1) if last else 1
            here = last or not self._models
            unchecked = {rel: text for rel, text in batch.items() if rel not in self._checked}
            check = _start_compile_check(unchecked, self._package, processes, started=self._workers, here=here)
            self._checks.append((check, Processing.pointer))
            if not last and self._workers is None and self._models:  # a large package: the last batch's start now
                self._workers = compiled.Workers(_AWAY)
            sorted_files, self._sorted = frozenset(self._sorted), set()
            self._formats.append(start_format(batch, self._package, sorted_already=sorted_files))
            if not last and not self._models:
                check.check_here()  # ruff formats the batch meanwhile

    def check_early(self, models: dict[str, str]) -> None:
        """Modules of the models package, checked while the emitter writes the rest: the second
        core is free by then. Only in a large package, which has its check processes started."""
        if self._workers is None:
            return
        batch = {self.models_dir + rel: text for rel, text in models.items()}
        self._checks.append((_start_compile_check(batch, self._package, started=self._workers), Processing.pointer))
        self._checked |= set(batch)
        self._workers.top_up(_AWAY)

    def results(self) -> dict[str, str]:
        """The files formatted; SpecError if one does not compile, before any is written."""
        for check, pointer in self._checks:
            found = check.result()
            if found:
                processing(pointer)
                _raise_problems(found)
        formatted: dict[str, str] = {}
        for pending in self._formats:
            formatted |= pending.result()
        return formatted

    def close(self) -> None:
        if self._workers is not None:
            self._workers.close()
        for check, _ in self._checks:
            check.cancel()
        for pending in self._formats:
            pending.wait()
