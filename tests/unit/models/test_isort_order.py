"""The builtin emitter orders imports as ruff's isort rule does (codegen/isort.py):
compared with ruff itself on names built to hit every rule (digit runs with and without leading
zeros, constants, classes, underscores, relative levels, re-exports)."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

from codegen.isort import from_lines, natural_key

PIECES = ["a", "b", "A", "B", "Z", "z", "Ab", "AB", "x", "_", "0", "00", "01", "1", "2", "9", "10", "011", "100"]


def _name(rng: random.Random, first: str) -> str:
    return first + "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 5)))


def _imports(rng: random.Random) -> dict[str, list[str]]:
    imports: dict[str, list[str]] = {}
    for _ in range(rng.randint(1, 4)):
        module = "." * rng.choice([1, 1, 2]) + _name(rng, rng.choice(["_a", "_b", "_A", "a", "_"]))
        names = sorted({_name(rng, rng.choice("AaBbZ_")) for _ in range(rng.randint(1, 6))})
        if rng.random() < 0.3:
            names = [f"{n} as {n}" for n in names]
        taken = imports.setdefault(module, [])
        taken += [n for n in names if n not in taken]
    return imports


def test_natural_key_orders_digit_runs_by_number_and_leading_zeros_digit_by_digit() -> None:
    names = ["a10", "a2", "a02", "a1b", "a_", "a011", "a01", "a", "aB"]
    assert sorted(names, key=natural_key) == ["a", "a01", "a011", "a02", "a1b", "a2", "a10", "aB", "a_"]


def test_from_lines_match_ruffs_order(tmp_path: Path) -> None:
    rng = random.Random(20261201)
    cases = [_imports(rng) for _ in range(400)]
    for i, imports in enumerate(cases):
        shuffled = [f"from {module} import {name}" for module, names in imports.items() for name in names]
        rng.shuffle(shuffled)
        (tmp_path / "pkg" / "sub").mkdir(parents=True, exist_ok=True)
        (tmp_path / "pkg" / "sub" / f"case_{i}.py").write_text("\n".join(shuffled) + "\n", encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "--select", "I", "--fix-only"]
    subprocess.run([*ruff, "--exit-zero", "--quiet", "--line-length", "10000", "."], cwd=tmp_path, check=True)
    for i, imports in enumerate(cases):
        ruffs = (tmp_path / "pkg" / "sub" / f"case_{i}.py").read_text(encoding="utf-8")
        assert "\n".join(from_lines(imports)) + "\n" == ruffs, imports
