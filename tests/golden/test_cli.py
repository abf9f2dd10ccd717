"""`codegen generate` / `codegen check` on the curated layout, in a scratch copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from codegen import cli
from codegen.pipeline import BUILTIN_FROM_SCHEMAS, model_generator
from codegen.write import read_tree

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "specs" / "petstore.yaml"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "specs").mkdir()
    for name in ("one", "two"):
        shutil.copy(FIXTURE, tmp_path / "specs" / f"{name}.yaml")
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    monkeypatch.setattr(cli, "CURATED", {n: tmp_path / "specs" / f"{n}.yaml" for n in ("one", "two")})
    return tmp_path


def test_generate_then_check_then_only_changed_files(project: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(cli.main, ["generate"])
    assert first.exit_code == 0, first.output
    assert (project / "generated" / "one" / "src" / "petstore" / "_client.py").is_file()
    assert runner.invoke(cli.main, ["check"]).exit_code == 0
    again = runner.invoke(cli.main, ["generate"])
    assert "0 files written, 0 removed" in again.output
    stale = project / "generated" / "two" / "src" / "petstore" / "stale.py"
    stale.write_text("x = 1\n")
    (project / "generated" / "two" / "README.md").write_text("edited by hand\n")
    checked = runner.invoke(cli.main, ["check"])
    assert checked.exit_code == 1 and "+++ /dev/null" in checked.output and "-edited by hand" in checked.output
    fixed = runner.invoke(cli.main, ["generate"])
    assert "two: 4 operations, 1 files written, 1 removed" in fixed.output
    assert not stale.exists()


def test_a_broken_spec_leaves_generated_untouched(project: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli.main, ["generate"]).exit_code == 0
    before = read_tree(project / "generated")
    spec = project / "specs" / "two.yaml"
    spec.write_text(
        spec.read_text().replace('$ref: "#/components/schemas/NewPet"', '$ref: "#/components/schemas/Nope"')
    )
    (project / "specs" / "one.yaml").write_text(FIXTURE.read_text().replace("List pets", "List all pets"))
    result = runner.invoke(cli.main, ["generate"])
    assert result.exit_code == 1
    assert "two.yaml:" in result.output and "/components/schemas/Nope" in result.output
    assert read_tree(project / "generated") == before


def test_models_option_picks_the_model_generator(tmp_path: Path) -> None:
    snapshots = FIXTURE.parent.parent / "snapshots" / "petstore"
    runner = CliRunner()
    for models, expected in (
        ("builtin", snapshots / "models_builtin.py"),
        ("datamodel-code-generator", snapshots / "src" / "petstore" / "models.py"),
    ):
        out = tmp_path / models
        done = runner.invoke(cli.main, ["generate", str(FIXTURE), "--out", str(out), "--models", models])
        assert done.exit_code == 0, done.output
        written = (out / "src" / "petstore" / "models.py").read_text(encoding="utf-8")
        assert written == expected.read_text(encoding="utf-8")
    refused = runner.invoke(cli.main, ["generate", str(FIXTURE), "--out", str(tmp_path / "x"), "--models", "fast"])
    assert refused.exit_code == 2 and "'fast' is not one of" in refused.output


def test_auto_takes_the_builtin_emitter_from_500_schemas() -> None:
    def document(count: int) -> dict[str, object]:
        return {"components": {"schemas": {f"S{i}": {"type": "string"} for i in range(count)}}}

    assert model_generator("auto", document(BUILTIN_FROM_SCHEMAS - 1)) == "datamodel-code-generator"
    assert model_generator("auto", document(BUILTIN_FROM_SCHEMAS)) == "builtin"
    assert model_generator("datamodel-code-generator", document(BUILTIN_FROM_SCHEMAS)) == "datamodel-code-generator"
    assert BUILTIN_FROM_SCHEMAS == 500
