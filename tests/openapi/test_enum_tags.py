"""Discriminator tags typed by an enum (the base declares `kind: Kind`, each allOf child is one
value): the builtin emitter narrows each child's tag to `Literal[Kind.MEMBER]`, which type
checkers accept as the base's enum and pydantic routes by value, where `Literal["dog"]` would be
an incompatible override under mypy --strict."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from codegen.output.write import write_tree
from codegen.pipeline import generate_package

SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Tagged pets", "version": "1"},
    "paths": {
        "/pets": {
            "get": {
                "operationId": "listPets",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PetList"}}},
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            "Kind": {"type": "string", "enum": ["dog", "cat"]},
            "Pet": {
                "type": "object",
                "required": ["kind", "name"],
                "properties": {"kind": {"$ref": "#/components/schemas/Kind"}, "name": {"type": "string"}},
                "discriminator": {
                    "propertyName": "kind",
                    "mapping": {"dog": "#/components/schemas/Dog", "cat": "#/components/schemas/Cat"},
                },
            },
            "Dog": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"properties": {"barks": {"type": "boolean"}}}]},
            "Cat": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"properties": {"lives": {"type": "integer"}}}]},
            "PetList": {
                "type": "object",
                "properties": {
                    "pets": {
                        "type": "array",
                        "items": {
                            "oneOf": [{"$ref": "#/components/schemas/Dog"}, {"$ref": "#/components/schemas/Cat"}],
                            "discriminator": {
                                "propertyName": "kind",
                                "mapping": {"dog": "#/components/schemas/Dog", "cat": "#/components/schemas/Cat"},
                            },
                        },
                    }
                },
            },
        }
    },
}


def test_enum_typed_tags_narrow_to_enum_members(tmp_path: Path) -> None:
    spec = tmp_path / "tagged.json"
    spec.write_text(json.dumps(SPEC), encoding="utf-8")
    generated = generate_package(spec, models="builtin")
    models = next(text for rel, text in generated.files.items() if rel.endswith("/models.py"))
    assert "Literal[Kind.DOG]" in models and "Literal[Kind.CAT]" in models
    out = tmp_path / "out"
    write_tree(out, generated.files)
    package = generated.package.package
    probe = (
        f"from {package}.models import Cat, Dog, Kind, PetList\n"
        "pets = PetList.model_validate({'pets': [{'kind': 'dog', 'name': 'a'}, {'kind': 'cat', 'name': 'b'}]}).pets\n"
        "assert pets is not None\n"
        "assert [type(p) for p in pets] == [Dog, Cat] and pets[0].kind is Kind.DOG\n"
        "assert pets[1].to_dict() == {'kind': 'cat', 'name': 'b'}\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=out / "src", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    mypy = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".mypy")]
    checked = subprocess.run([*mypy, "-p", package], cwd=out / "src", capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
