"""Groups of a split models package that no other group imports, joined into shared modules.

A large spec's split package is a module per group of classes (split.py), most of them small:
GitHub's spec gives 1,335, each a file to write, format and check, and one more import for a call.
A group that no other group imports (a root) can join others without making an import cycle, as
nothing imports into it. Two kinds are joined:

- roots whose names one importer alone loads (a method, in a package whose resource modules
  import the models for type checkers only; else a resource module): it loads them all at once,
  so sharing a module with each other loads nothing a call did not load before;
- roots nothing imports (models only a user's own `from <package>.models import X` reaches, such
  as GitHub's webhook payloads): a few at a time, in runs of neighbouring names cut where a
  name's checksum says (content-defined, so one schema more or less moves only its own run), and
  never past a few dozen classes, so such an import loads little beyond what it asks for.

A name some module imports without the caller knowing which (no importers given) stays alone.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Mapping

from ...naming import snake

# Runs of unimported roots: cut after a name whose checksum this divides (about one in so many),
# and before a run would exceed so many classes.
_CUT_EVERY = 8
_MOST_CLASSES = 32


def packed(
    groups: list[list[str]], deps: dict[str, set[str]], importers: Mapping[str, Collection[str]]
) -> list[list[str]]:
    """`groups` with their roots joined as the module doc says, in their order otherwise (each
    shared module where its first member was). `importers`: names other modules import, each
    with the modules importing it."""
    group_of = {name: i for i, members in enumerate(groups) for name in members}
    imported = {group_of[d] for i, members in enumerate(groups) for n in members for d in deps[n] if group_of[d] != i}
    by_importer: dict[str, list[int]] = {}
    unimported: list[int] = []
    for i, members in enumerate(groups):
        if i in imported:
            continue
        kept = [n for n in members if n in importers]
        if not kept:
            unimported.append(i)
            continue
        sole = {m for n in kept for m in importers[n]}
        if len(sole) == 1 and all(importers[n] for n in kept):
            by_importer.setdefault(next(iter(sole)), []).append(i)
    joined = [*by_importer.values(), *_runs(unimported, groups)]
    first_of = {i: run[0] for run in joined for i in run}
    out: dict[int, list[str]] = {}
    for i, members in enumerate(groups):
        out.setdefault(first_of.get(i, i), []).extend(members)
    return list(out.values())


def _runs(roots: list[int], groups: list[list[str]]) -> list[list[int]]:
    """The unimported roots in runs of neighbouring names (each group named by its shortest
    class, as split.py names its module)."""
    named = sorted(roots, key=lambda i: snake(min(groups[i], key=lambda n: (len(n), n))))
    runs: list[list[int]] = []
    run: list[int] = []
    size = 0
    for i in named:
        if run and size + len(groups[i]) > _MOST_CLASSES:
            runs.append(run)
            run, size = [], 0
        run.append(i)
        size += len(groups[i])
        name = min(groups[i], key=lambda n: (len(n), n))
        if zlib.crc32(name.encode()) % _CUT_EVERY == 0:
            runs.append(run)
            run, size = [], 0
    if run:
        runs.append(run)
    return runs
