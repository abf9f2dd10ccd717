"""Never invalid output, never a traceback: rules found by running the corpus benchmark."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from codegen import lower as lower_module
from codegen.cli import main
from codegen.diagnostics import SpecError
from codegen.model_names import complete_models
from codegen.pipeline import check_compiles, generate_package

SPEC = """
openapi: 3.0.3
info: {title: Safety, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
components:
  schemas:
    Thing:
      type: object
      properties:
        id: {type: string, format: ulid}
        state:
          type: string
          enum: [ok, limited]
          x-enum-descriptions: ["It's fine.", "The bank's supervisor limited it."]
"""


@pytest.fixture(params=["datamodel-code-generator", "builtin"])
def generated(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("CODEGEN_CACHE_DIR", str(tmp_path / "cache"))
    spec = tmp_path / "safety.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    return generate_package(spec, models=request.param).files


def test_enum_descriptions_and_ulid_give_a_module_of_declared_imports(generated: dict[str, str]) -> None:
    models = generated["src/safety/models.py"]
    compile(models, "models.py", "exec")
    assert "ulid" not in models.lower().replace("format: ulid", "")
    assert "bank's supervisor" not in models  # per-member descriptions are not written as code


def test_duplicate_arguments_and_foreign_imports_are_caught_before_writing() -> None:
    with pytest.raises(SpecError, match="does not compile: duplicate argument"):
        check_compiles({"src/p/a.py": "def f(x, x):\n    pass\n"}, "p")
    with pytest.raises(SpecError, match="imports ulid, which the package does not need"):
        check_compiles({"src/p/models.py": "from ulid import ULID\n"}, "p")
    check_compiles({"src/p/a.py": "import httpx\nfrom . import models\nfrom p import x\n"}, "p")


def test_renamed_and_dropped_model_classes_become_aliases() -> None:
    code = "from __future__ import annotations\n\nclass Region1(BaseModel):\n    pass\n"
    fixed, warnings = complete_models(code, {"Region", "Gone"}, {"Region", "Gone"}, "spec.yaml")
    assert "Region = Region1" in fixed and "Gone: TypeAlias = Any" in fixed
    assert [w.pointer for w in warnings] == ["/components/schemas/Gone", "/components/schemas/Region"]
    assert all(w.severity == "warning" for w in warnings)


def test_an_internal_failure_is_one_line_with_the_pointer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "safety.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    real = lower_module._operation

    def broken(*args: Any, **kwargs: Any) -> Any:
        real(*args, **kwargs)
        raise KeyError("boom")

    monkeypatch.setattr(lower_module, "_operation", broken)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["generate", str(spec), "--out", str(out)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    (line,) = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert "internal error while lowering: KeyError: 'boom' (at /paths/~1things/get)" in line
    assert not out.exists()
