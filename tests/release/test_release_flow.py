"""`codegen release`: the first record, bumps by the rules, changelog entries, no-op reruns, dates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from codegen import cli
from codegen.output.write import read_tree
from codegen.release.flow import pending_changes, release
from codegen.release.record import load_record, next_version, record_path
from codegen.surface.load import load_surface

SHOP = Path(__file__).resolve().parent / "specs" / "shop.yaml"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    spec = tmp_path / "specs" / "shop.yaml"
    spec.parent.mkdir()
    shutil.copy(SHOP, spec)
    return spec


def _edit(spec: Path, change: str) -> None:
    document = yaml.safe_load(spec.read_text())
    if change == "remove":
        del document["paths"]["/orders/{order_id}"]["delete"]
    elif change == "add":
        document["paths"]["/orders"]["get"]["parameters"].append(
            {"name": "sort", "in": "query", "schema": {"type": "string"}}
        )
    else:
        document["paths"]["/orders"]["get"]["summary"] = "List every order"
    spec.write_text(yaml.safe_dump(document, sort_keys=False))


@pytest.mark.parametrize(
    ("version", "bump", "expected"),
    [
        ("1.1.0", "major", "2.0.0"),
        ("1.1.0", "minor", "1.2.0"),
        ("1.1.0", "patch", "1.1.1"),
        ("1.0.0.100", "patch", "1.0.1"),
    ],
)
def test_next_version(version: str, bump: str, expected: str) -> None:
    assert next_version(version, bump) == expected  # type: ignore[arg-type]


def test_first_release_then_bumps_by_the_rules(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = release(shop, out)
    assert (first.version, first.bump) == ("2.1.0", "first")  # default 2.0.0.100, one minor step on
    record_file = record_path(shop)
    assert record_file == shop.parent / "releases" / "shop.json"
    assert load_surface(record_file) == load_surface(shop)

    _edit(shop, "describe")
    assert [c.severity for c in pending_changes(shop)[1]] == ["other"]
    assert release(shop, out).version == "2.1.1"
    _edit(shop, "add")
    assert release(shop, out).version == "2.2.0"
    _edit(shop, "remove")
    major = release(shop, out)
    assert (major.version, major.bump) == ("3.0.0", "major")
    assert [c.line() for c in major.changes] == [
        "breaking:  client.orders.delete(): removed method (DELETE /orders/{order_id})"
    ]
    record = load_record(record_file)
    assert record is not None and [r.version for r in record.releases] == ["3.0.0", "2.2.0", "2.1.1", "2.1.0"]

    files = read_tree(out)
    assert 'version = "3.0.0"' in files["pyproject.toml"]
    assert '__api_version__ = "2.0.0"' in files["src/shop/__init__.py"]
    changelog = files["CHANGELOG.md"]
    newest = changelog.split("\n## ")[1]
    assert newest.startswith("3.0.0\n") and "Major release" in newest
    assert "- **Breaking:** `client.orders.delete()`: removed method (DELETE /orders/{order_id})" in newest
    assert changelog.index("## 3.0.0") < changelog.index("## 2.2.0") < changelog.index("## 2.1.0")
    assert "added optional parameter sort: str" in changelog.split("\n## ")[2]


def test_breaking_changes_are_listed_first(shop: Path, tmp_path: Path) -> None:
    release(shop, tmp_path / "out")
    _edit(shop, "describe")
    _edit(shop, "add")
    _edit(shop, "remove")
    release(shop, tmp_path / "out")
    entry = (tmp_path / "out" / "CHANGELOG.md").read_text().split("\n## ")[1]
    assert entry.index("### Breaking changes") < entry.index("### Added") < entry.index("### Other changes")


def test_without_a_change_nothing_is_written(shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    release(shop, out)
    before = {p: p.stat().st_mtime_ns for p in [*out.rglob("*"), record_path(shop)] if p.is_file()}
    again = release(shop, out)
    assert again.bump is None and again.version == "2.1.0"
    assert {p: p.stat().st_mtime_ns for p in [*out.rglob("*"), record_path(shop)] if p.is_file()} == before


def test_records_are_reproducible_and_dated_only_when_asked(tmp_path: Path) -> None:
    texts = []
    for name in ("a", "b"):
        spec = tmp_path / name / "shop.yaml"
        spec.parent.mkdir()
        shutil.copy(SHOP, spec)
        release(spec, tmp_path / name / "out")
        texts.append(record_path(spec).read_text())
    assert texts[0] == texts[1] and '"date"' not in texts[0]
    spec = tmp_path / "a" / "shop.yaml"
    _edit(spec, "describe")
    release(spec, tmp_path / "a" / "out", date="2026-02-03")
    assert '"date": "2026-02-03"' in record_path(spec).read_text()
    assert "## 2.1.1 (2026-02-03)" in (tmp_path / "a" / "out" / "CHANGELOG.md").read_text()
    with pytest.raises(ValueError):
        release(spec, tmp_path / "a" / "out", date="yesterday")


def test_release_command_on_curated_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "specs").mkdir()
    shutil.copy(SHOP, tmp_path / "specs" / "shop.yaml")
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    monkeypatch.setattr(cli, "CURATED", {"shop": tmp_path / "specs" / "shop.yaml"})
    runner = CliRunner()
    first = runner.invoke(cli.main, ["release"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("shop: 2.1.0 (first, 1 changes)")
    assert runner.invoke(cli.main, ["check"]).exit_code == 0
    again = runner.invoke(cli.main, ["release"])
    assert again.output == "shop: 2.1.0, no surface change since, nothing to release\n"
    _edit(tmp_path / "specs" / "shop.yaml", "remove")
    assert runner.invoke(cli.main, ["check"]).exit_code == 1  # stale until the release regenerates
    bumped = runner.invoke(cli.main, ["release", "--date", "2026-03-01"])
    assert "shop: 3.0.0 (major, 1 changes)" in bumped.output, bumped.output
    assert runner.invoke(cli.main, ["check"]).exit_code == 0
    assert runner.invoke(cli.main, ["release", "--date", "March"]).exit_code == 2


def test_curated_records_hold_readable_surfaces() -> None:
    for name in ("reloop", "reply"):
        record = load_record(ROOT / "specs" / "releases" / f"{name}.json")
        assert record is not None and record.surface["format"] == 1
        assert "__api_version__" in record.surface["exports"]


def test_a_runtime_change_without_a_surface_change_is_a_patch_release(
    shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A version once published keeps its contents: a change to what the package does that its
    surface does not show (the shared runtime, how the generator writes code) is released too."""
    from codegen import render

    out = tmp_path / "out"
    assert release(shop, out).version == "2.1.0"
    assert release(shop, out).bump is None  # nothing changed: nothing to release
    runtime = tmp_path / "runtime"
    shutil.copytree(render.RUNTIME, runtime)
    retry = runtime / "_retry.py"
    retry.write_text(retry.read_text(encoding="utf-8") + "\n# a fix in the runtime\n", encoding="utf-8")
    monkeypatch.setattr(render, "RUNTIME", runtime)
    assert pending_changes(shop)[1] == []  # the surface did not change
    patch = release(shop, out)
    assert (patch.version, patch.bump) == ("2.1.1", "patch")
    assert [c.severity for c in patch.changes] == ["other"] and "runtime" in patch.changes[0].text
    assert "# a fix in the runtime" in read_tree(out)["src/shop/_retry.py"]
    assert release(shop, out).bump is None  # recorded with its new contents
    record = load_record(record_path(shop))
    assert record is not None and record.content is not None and record.version == "2.1.1"


def test_the_content_digest_does_not_depend_on_where_the_spec_is(shop: Path, tmp_path: Path) -> None:
    """The generated header names the spec's path; a copy of spec and record elsewhere (as a
    release job might check out) must not look like a changed package."""
    import subprocess

    from codegen.pipeline import generate_package
    from codegen.release.record import content_digest

    release(shop, tmp_path / "out")
    repository = tmp_path / "repository"
    elsewhere = repository / "deeper" / "specs"
    shutil.copytree(shop.parent, elsewhere)
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    here, there = generate_package(shop).files, generate_package(elsewhere / "shop.yaml").files
    assert "from deeper/specs/shop.yaml;" in there["pyproject.toml"] + there["src/shop/__init__.py"]
    assert here != there  # the headers differ
    assert content_digest(here) == content_digest(there)
    assert release(elsewhere / "shop.yaml", tmp_path / "out2").bump is None
