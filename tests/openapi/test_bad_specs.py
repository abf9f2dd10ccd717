"""Bad specs: a diagnostic with file, line and JSON pointer. An unusable document: exit 1 and the
output folder untouched; a defect with a fallback: a warning and a client that imports."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
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
    severity = str(expected.get("severity", "error"))
    if severity == "warning":
        out = tmp_path / "fresh"
    result = CliRunner().invoke(main, ["generate", os.path.relpath(spec), "--out", str(out)])
    assert result.exit_code == (1 if severity == "error" else 0), result.output
    lines = [line for line in result.stderr.splitlines() if f": {severity}: " in line]
    assert lines, result.stderr
    first = next((line for line in lines if str(expected["message"]) in line), lines[0])
    where = f"tests/fixtures/bad/{spec.name}:{expected['line']}: {severity}: "
    assert first.startswith(where), first
    assert str(expected["message"]) in first
    assert first.endswith(f"(at {expected['pointer'] or '#'})"), first
    if severity == "error":
        assert _snapshot(out) == before
    else:
        _imports(out)


def _imports(out: Path) -> None:
    src = out / "src"
    (package,) = [p.name for p in src.iterdir()]
    code = f"import {package}, {package}.models, pkgutil, importlib\n"
    code += f"for m in pkgutil.walk_packages({package}.__path__, '{package}.'): importlib.import_module(m.name)"
    done = subprocess.run([sys.executable, "-c", code], cwd=src, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_duplicate_key_keeps_the_last_value() -> None:
    from codegen.spec.load import load_spec

    as_yaml = load_spec(BAD / "duplicate_key.yaml")
    assert list(as_yaml.data["paths"]["/x"]["get"]["responses"]) == ["204"]
    as_json = load_spec(BAD / "duplicate_key_json.json")
    assert as_json.data["paths"]["/x"]["get"]["summary"] == "second"
    assert [d.pointer for d in as_json.load_warnings] == ["/paths/~1x/get/summary"]
