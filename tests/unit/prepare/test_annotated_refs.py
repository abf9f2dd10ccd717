"""An allOf that only annotates one schema is that schema, not a new class."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codegen.prepare import prepare
from codegen.spec.load import load_spec


def _prepared(tmp_path: Path, schemas: dict[str, Any]) -> dict[str, Any]:
    spec = tmp_path / "spec.json"
    document = {"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "paths": {}}
    spec.write_text(json.dumps({**document, "components": {"schemas": schemas}}), encoding="utf-8")
    result: dict[str, Any] = prepare(load_spec(spec)).document["components"]["schemas"]
    return result


def test_annotations_beside_a_ref_fold_into_the_schema(tmp_path: Path) -> None:
    version = {"type": "object", "properties": {"id": {"type": "string"}}}
    note = {"description": "The file's version.", "nullable": True, "x-internal": False}
    file = {"type": "object", "properties": {"version": {"allOf": [{"$ref": "#/components/schemas/Version"}, note]}}}
    schemas = _prepared(tmp_path, {"Version": version, "File": file})
    assert schemas["File"]["properties"]["version"] == {"allOf": [{"$ref": "#/components/schemas/Version"}], **note}


def test_an_allof_that_adds_properties_or_types_stays(tmp_path: Path) -> None:
    base = {"type": "object", "properties": {"id": {"type": "string"}}}
    extended = {"allOf": [{"$ref": "#/components/schemas/Base"}, {"properties": {"name": {"type": "string"}}}]}
    both = {"allOf": [{"$ref": "#/components/schemas/Base"}, {"$ref": "#/components/schemas/Extended"}]}
    schemas = _prepared(tmp_path, {"Base": base, "Extended": extended, "Both": both})
    assert len(schemas["Extended"]["allOf"]) == 2 and len(schemas["Both"]["allOf"]) == 2
