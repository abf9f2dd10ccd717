"""An enum whose only value is null (`enum: [null]`, as Django REST specs write NullEnum) is a valid
request field: its input type must not be an empty Literal[] (which does not compile)."""

from __future__ import annotations

import json
from pathlib import Path

from codegen.pipeline import generate_package

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Null enum", "version": "1"},
    "paths": {
        "/documents": {
            "post": {
                "operationId": "createDocument",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Document"}}}},
                "responses": {"201": {"description": "created"}},
            }
        }
    },
    "components": {
        "schemas": {
            "NullEnum": {"enum": [None]},
            "SourceEnum": {"enum": ["web", "mobile"], "type": "string"},
            "Document": {
                "type": "object",
                "properties": {
                    "source": {
                        "nullable": True,
                        "oneOf": [
                            {"$ref": "#/components/schemas/SourceEnum"},
                            {"$ref": "#/components/schemas/NullEnum"},
                        ],
                    }
                },
            },
        }
    },
}


def test_null_only_enum_input_compiles(tmp_path: Path) -> None:
    spec = tmp_path / "null_enum.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    files = generate_package(spec).files  # every module compiled, or SpecError
    resource = next(text for rel, text in files.items() if rel.endswith("resources/documents.py"))
    assert "Literal[]" not in resource
    assert "NullEnum" in resource
