"""The prepared document leaves out the top-level parts no later stage reads (webhooks, and
extensions other than x-sdk), but keeps one a $ref points into."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from codegen.pipeline import generate_package
from codegen.prepare import prepare
from codegen.spec.load import load_spec

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "Things", "version": "1"},
    "servers": [{"url": "https://api.example.com"}],
    "x-sdk": {"package": "things"},
    "x-webhooks": {
        "thing": {"post": {"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}}}
    },
    "x-defs": {"Size": {"type": "string", "enum": ["s", "m"]}},
    "x-logo": {"url": "https://example.com/logo.png"},
    "webhooks": {"made": {"post": {"responses": {"200": {"description": "ok"}}}}},
    "paths": {
        "/things": {
            "get": {
                "operationId": "listThings",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {"Thing": {"type": "object", "properties": {"size": {"$ref": "#/x-defs/Size"}}}},
    },
}


def test_only_what_a_later_stage_reads_is_prepared(tmp_path: Path) -> None:
    path = tmp_path / "things.json"
    path.write_text(json.dumps(DOCUMENT), encoding="utf-8")
    prepared = prepare(load_spec(path))
    assert set(prepared.document) == {"openapi", "info", "servers", "x-sdk", "x-defs", "paths", "components"}
    models = generate_package(path).files["src/things/models.py"]
    assert '    S = "s"' in models and "    size: Any" not in models, models  # typed by the enum it points to


def test_a_yaml_document_is_prepared_alike(tmp_path: Path) -> None:
    as_json, as_yaml = tmp_path / "things.json", tmp_path / "things.yaml"
    as_json.write_text(json.dumps(DOCUMENT, indent=2), encoding="utf-8")
    as_yaml.write_text(yaml.safe_dump(DOCUMENT), encoding="utf-8")
    assert set(prepare(load_spec(as_yaml)).document) == set(prepare(load_spec(as_json)).document)
