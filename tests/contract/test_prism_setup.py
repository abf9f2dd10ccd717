"""Without Node/npm the contract tests fail in CI (never pass by skipping) and skip locally."""

from __future__ import annotations

import re

import pytest

from . import _prism


@pytest.mark.parametrize("missing", ["node", "npm"])
def test_missing_toolchain_fails_in_ci(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(_prism.shutil, "which", lambda name: None if name == missing else f"/usr/bin/{name}")
    monkeypatch.setattr(_prism, "_installed_version", lambda: None)  # force the install path
    with pytest.raises(pytest.fail.Exception, match=f"{missing} is required for the Prism contract tests"):
        _prism.ensure_prism()


def test_missing_toolchain_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(_prism.shutil, "which", lambda name: None)
    with pytest.raises(pytest.skip.Exception, match="node is required"):
        _prism.ensure_prism()


def test_prism_version_is_pinned_in_the_makefile() -> None:
    # One pin for `make prism` and the tests; an exact version, so every machine runs the same Prism.
    assert re.fullmatch(r"\d+\.\d+\.\d+", _prism.prism_version())
