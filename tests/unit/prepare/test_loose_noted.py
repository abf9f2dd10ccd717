"""Constructs without a precise type are found alike in a JSON document, whose parser notes the
objects that may hold one, and in a YAML one, which is walked for them; a JSON document whose
noted objects hold none is not walked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from codegen.prepare import loose
from codegen.prepare.loose import loose_warnings
from codegen.spec.jsonlines import NOTED_KEYS
from codegen.spec.load import load_spec
from codegen.spec.validate import validate_openapi

LOOSE = Path(__file__).resolve().parents[2] / "fixtures" / "specs" / "loose.yaml"


def _findings(path: Path) -> list[tuple[str, str]]:
    spec = load_spec(path)
    validate_openapi(spec)
    return sorted((w.pointer, w.message) for w in loose_warnings(spec))


@pytest.mark.parametrize("indent", [2, None])
def test_a_json_document_gives_the_findings_of_its_yaml(tmp_path: Path, indent: int | None) -> None:
    as_json = tmp_path / "loose.json"
    as_json.write_text(json.dumps(yaml.safe_load(LOOSE.read_text(encoding="utf-8")), indent=indent))
    expected = _findings(LOOSE)
    assert len(expected) >= 6
    assert load_spec(as_json).noted is not None
    assert _findings(as_json) == expected


def _document(schema: dict[str, object], example: object = None) -> dict[str, object]:
    media: dict[str, object] = {"schema": {"$ref": "#/components/schemas/Pet"}}
    if example is not None:
        media["example"] = example
    return {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/pets": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": media}}}}}
        },
        "components": {"schemas": {"Pet": schema}},
    }


def test_a_document_whose_noted_objects_hold_no_construct_is_not_walked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "spec.json"
    schema = {"type": "object", "properties": {"kind": {"type": "string", "enum": ["a", "b"]}}}
    path.write_text(json.dumps(_document(schema, example={"enum": ["a", 1], "not": {}})))

    def no_walk(*args: object, **kwargs: object) -> None:
        raise AssertionError("walked")

    monkeypatch.setattr(loose, "walk", no_walk)
    monkeypatch.setattr(loose, "walk_with_pointers", no_walk)
    with pytest.raises(AssertionError, match="walked"):  # the example's object is noted, so it walks
        _findings(path)
    schema["properties"] = {"kind": {"type": "string", "enum": ["a", "b"]}, "tags": {"type": "array"}}
    path.write_text(json.dumps(_document(schema)))
    assert _findings(path) == []


def test_a_construct_only_in_an_example_is_not_reported(tmp_path: Path) -> None:
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(_document({"type": "object"}, example={"type": "x", "enum": ["a", 1], "not": {}})))
    assert _findings(path) == []


def test_every_key_the_findings_look_for_is_noted() -> None:
    assert set(loose._IGNORED) | {"enum"} <= NOTED_KEYS
