"""Unchanged schemas skip the model generator; any change to what models depend on generates again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from codegen.diagnostics import SpecError
from codegen.models import cache as model_cache
from codegen.models.plan import plan_models
from codegen.pipeline import generate_package

SPECS = Path(__file__).resolve().parents[2] / "fixtures" / "specs"


def test_second_run_reuses_models_and_a_change_generates_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    # The cache is datamodel-code-generator's: the builtin emitter is quicker than a cache lookup.
    dcg = "datamodel-code-generator"
    first = generate_package(SPECS / "enums.yaml", models=dcg).files

    def refuse(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("the model generator ran although nothing changed")

    real = model_cache.generate_models
    monkeypatch.setattr(model_cache, "generate_models", refuse)
    assert generate_package(SPECS / "enums.yaml", models=dcg).files == first

    changed = tmp_path / "enums.yaml"
    changed.write_text(
        (SPECS / "enums.yaml").read_text(encoding="utf-8").replace("dark-blue", "navy"), encoding="utf-8"
    )
    with pytest.raises(SpecError, match="model generator ran"):
        generate_package(changed, models=dcg)
    monkeypatch.setattr(model_cache, "generate_models", real)
    assert 'NAVY = "navy"' in generate_package(changed, models=dcg).files["src/enums/models.py"]


def test_the_key_covers_every_part_of_the_plan() -> None:
    document = {"openapi": "3.1.0", "components": {"schemas": {"A": {"type": "object"}}}}
    plan = plan_models(document, package="a", header="H", spec_file="s.yaml")
    keys = {
        model_cache._key(variant)
        for variant in (
            plan,
            replace(plan, package="b"),
            replace(plan, header="other"),
            replace(plan, spec_file="t.yaml"),
            replace(plan, classes={}),
            replace(plan, narrowed={"#/components/schemas/A": ("x",)}),
        )
    }
    assert len(keys) == 6
    assert model_cache._key(plan) == model_cache._key(replace(plan))
