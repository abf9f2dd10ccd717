"""The curated specs: valid OpenAPI by an independent validator, coverage and typing bars."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from codegen.pipeline import CURATED

MIN_OPERATIONS = {"reloop": 60, "reply": 220}
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def _load(name: str) -> dict[str, object]:
    return yaml.safe_load(Path(CURATED[name]).read_text())  # type: ignore[no-any-return]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CURATED))
def test_spec_passes_openapi_spec_validator(name: str) -> None:
    validate(_load(name))


@pytest.mark.parametrize("name", sorted(CURATED))
def test_coverage_and_typed_responses(name: str) -> None:
    spec = _load(name)
    ops = [op for item in spec["paths"].values() for m, op in item.items() if m in METHODS]  # type: ignore[attr-defined]
    assert len(ops) >= MIN_OPERATIONS[name]
    json_2xx = typed = 0
    for op in ops:
        assert op.get("x-sdk", {}).get("resource") and op.get("x-sdk", {}).get("method"), op["operationId"]
        assert any(str(s)[0] in "45" for s in op["responses"]), f"{op['operationId']} declares no error response"
        for status, response in op["responses"].items():
            content = (response.get("content") or {}) if str(status).startswith("2") else {}
            for media, body in content.items():
                if "json" in media:
                    json_2xx += 1
                    schema = body.get("schema", {})
                    typed += "$ref" in schema or "$ref" in schema.get("items", {})
    assert typed / json_2xx >= 0.95, f"{typed}/{json_2xx} typed"
