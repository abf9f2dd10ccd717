"""The model plan (codegen/models/plan.py) and what datamodel-code-generator makes of it: planned
class names survive whatever the generator renames or leaves out, and fields that narrow a base's
type carry pyright's ignore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from codegen.models.dcg import _fallbacks
from codegen.models.plan import plan_models
from codegen.pipeline import generate_package

IGNORE = "# pyright: ignore[reportIncompatibleVariableOverride]"


def _document(schemas: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": schemas}}


def _plan(schemas: dict[str, Any]) -> Any:
    return plan_models(_document(schemas), package="pkg", header="H", spec_file="spec.yaml")


BASE = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "string"},
        "kind": {"type": "string"},
        "note": {"type": "string"},
        "data": {"type": "object", "description": "free-form"},
    },
}


def test_narrowed_fields_come_from_the_allof_structure() -> None:
    plan = _plan(
        {
            "Base": BASE,
            "Child": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {
                        "required": ["note"],
                        "properties": {
                            "kind": {"type": "string", "enum": ["a", "b"]},  # a narrower type
                            "data": {"description": "only documented again"},  # the base's type stays
                            "id": {"type": "string", "description": "same type"},
                        },
                    },
                ]
            },
            "Plain": {"type": "object", "properties": {"kind": {"type": "integer"}}},
        }
    )
    assert dict(plan.narrowed) == {"#/components/schemas/Child": ("kind", "note")}
    assert plan.classes == {f"#/components/schemas/{n}": n for n in ("Base", "Child", "Plain")}


def test_a_discriminator_tag_inherited_from_a_base_is_narrowed() -> None:
    plan = _plan(
        {
            "Event": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}},
            "Sent": {"allOf": [{"$ref": "#/components/schemas/Event"}, {"properties": {"at": {"type": "string"}}}]},
            "Own": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}},
            "Any": {
                "oneOf": [{"$ref": "#/components/schemas/Sent"}, {"$ref": "#/components/schemas/Own"}],
                "discriminator": {"propertyName": "type"},
            },
        }
    )
    assert dict(plan.narrowed) == {"#/components/schemas/Sent": ("type",)}


def test_an_allof_cycle_ends() -> None:
    plan = _plan(
        {
            "A": {"allOf": [{"$ref": "#/components/schemas/B"}], "properties": {"x": {"type": "string"}}},
            "B": {"allOf": [{"$ref": "#/components/schemas/A"}], "properties": {"x": {"type": "integer"}}},
        }
    )
    assert set(plan.narrowed) <= {"#/components/schemas/A", "#/components/schemas/B"}


# A ref into a component's property takes that property's name in datamodel-code-generator's
# bookkeeping first, so the component Region comes out as Region1.
RENAMED = """
openapi: 3.0.3
info: {title: Renamed, version: "1"}
paths:
  /regions:
    get:
      operationId: listRegions
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Region"}
  /databases:
    get:
      operationId: listDatabases
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/DatabaseMySQL"}
components:
  schemas:
    Database:
      type: object
      properties:
        region: {type: string, description: The region id.}
    DatabaseMySQL:
      type: object
      properties:
        region: {$ref: "#/components/schemas/Database/properties/region"}
    Region:
      type: object
      properties:
        id: {type: string}
"""


def test_a_renamed_class_gets_its_planned_name_with_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    spec = tmp_path / "renamed.yaml"
    spec.write_text(RENAMED, encoding="utf-8")
    generated = generate_package(spec, models="datamodel-code-generator")
    models = generated.files["src/renamed/models.py"]
    assert "\nRegion = Region1\n" in models
    namespace: dict[str, Any] = {}
    exec(compile(models.replace("from renamed._models import", "from pydantic import"), "m", "exec"), namespace)
    assert namespace["Region"] is namespace["Region1"]
    (warning,) = [w for w in generated.package.warnings if "model generator" in w]
    assert "named class Region Region1" in warning and "(at /components/schemas/Region)" in warning


def test_a_class_left_out_is_any_and_a_name_taken_by_another_class_is_reported() -> None:
    plan = _plan({"Gone": BASE, "Held": BASE, "Kept": BASE})
    written = {"#/components/schemas/Kept": ["Kept"], "#/components/schemas/Held": ["Held2"], "#/x": ["Held"]}
    tail, warnings = _fallbacks(plan, written)
    assert tail == "\n\nGone: TypeAlias = Any\n"
    assert [(w.pointer, w.severity) for w in warnings] == [
        ("/components/schemas/Gone", "warning"),
        ("/components/schemas/Held", "warning"),
    ]
    assert "did not define class Gone" in warnings[0].message
    assert "gave the name Held to another schema's class" in warnings[1].message


def test_narrowed_fields_of_datamodel_code_generator_carry_the_ignore(tmp_path: Path) -> None:
    spec = Path(__file__).resolve().parents[3] / "specs" / "reloop.yaml"
    models = generate_package(spec, models="datamodel-code-generator").files["src/reloop/models.py"]
    narrowed = [line.strip() for line in models.splitlines() if IGNORE in line]
    assert any(line.startswith("data: EmailEventData") for line in narrowed)
    assert any(line.startswith("type: Literal[") for line in narrowed)  # a long line keeps it on its first line
