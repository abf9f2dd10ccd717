"""Bad specs: a diagnostic with file, line and JSON pointer, exit 1, and the output folder untouched."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from codegen.cli import main

BAD = Path(__file__).resolve().parent.parent / "fixtures" / "bad"
EXPECTED: dict[str, dict[str, object]] = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))
CASES = sorted(p for p in BAD.iterdir() if p.suffix in (".yaml", ".json") and p.name != "expected.yaml")


def _snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(root.rglob("*"))
    }


def test_every_bad_spec_has_an_expectation() -> None:
    assert sorted(p.stem for p in CASES) == sorted(EXPECTED)


@pytest.mark.parametrize("spec", CASES, ids=lambda p: p.stem)
def test_diagnostic_exit_code_and_untouched_output(spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = EXPECTED[spec.stem]
    out = tmp_path / "out"
    (out / "src" / "pkg").mkdir(parents=True)
    (out / "src" / "pkg" / "keep.py").write_text("# written by hand before the run\n", encoding="utf-8")
    (out / "README.md").write_bytes(b"old\r\nbytes\x00")
    before = _snapshot(out)
    monkeypatch.chdir(BAD.parent.parent.parent)  # messages name files relative to the project
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    result = CliRunner().invoke(main, ["generate", os.path.relpath(spec), "--out", str(out)])
    assert result.exit_code == 1, result.output
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert lines, result.stderr
    first = lines[0]
    where = f"tests/fixtures/bad/{spec.name}:{expected['line']}: error: "
    assert first.startswith(where), first
    assert str(expected["message"]) in first
    assert first.endswith(f"(at {expected['pointer'] or '#'})"), first
    assert _snapshot(out) == before
