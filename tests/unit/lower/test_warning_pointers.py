"""A warning about a schema points where the document as written has it, whatever class name the
schema became (renamed to a class name, or hoisted out of an operation or a union)."""

from __future__ import annotations

from pathlib import Path

from codegen.pipeline import generate_package

SPEC = """\
openapi: 3.0.3
info: {title: Pets, version: "1"}
servers: [{url: "https://api.example.com"}]
paths:
  /pets:
    post:
      operationId: createPet
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                owner:
                  type: object
                  properties: {name: {type: string}}
                pet: {$ref: "#/components/schemas/pet-input"}
                change: {$ref: "#/components/schemas/pet-change"}
      responses: {"204": {description: done}}
components:
  schemas:
    pet-input:
      type: object
      properties:
        collar:
          type: object
          properties: {size: {type: string}}
    pet-change:
      oneOf:
        - type: object
          title: rename
          properties:
            tag:
              type: object
              properties: {text: {type: string}}
        - type: string
"""


def _loose_warnings(tmp_path: Path) -> dict[str, int]:
    spec = tmp_path / "pets.yaml"
    spec.write_text(SPEC)
    found: dict[str, int] = {}
    for warning in generate_package(spec).package.warnings:
        head, _, tail = warning.partition(": warning: no precise type")
        if tail:
            found[tail.rsplit("(at ", 1)[1].rstrip(")")] = int(head.rsplit(":", 1)[1])
    return found


def _line_of(text: str) -> int:
    return next(i for i, line in enumerate(SPEC.splitlines(), 1) if line.strip().startswith(text))


def test_renamed_hoisted_and_union_member_schemas_point_into_the_document(tmp_path: Path) -> None:
    found = _loose_warnings(tmp_path)
    assert found == {
        "/paths/~1pets/post/requestBody/content/application~1json/schema/properties/owner": _line_of("owner:"),
        "/components/schemas/pet-input/properties/collar": _line_of("collar:"),
        "/components/schemas/pet-change/oneOf/0/properties/tag": _line_of("tag:"),
    }
