"""Package versions. A package with a release record (specs/releases/) carries the record's own
semantic version and keeps the API's version as __api_version__; a plain spec without one gets
the default: the spec's info.version followed by the generator's version."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from packaging.version import Version

from codegen import lower as lower_module
from codegen.output.write import read_tree
from codegen.pipeline import generate_package

from .conftest import ROOT

PETSTORE = ROOT / "tests" / "fixtures" / "specs" / "petstore.yaml"


def _versions(files: dict[str, str]) -> tuple[str, str]:
    pyproject = re.search(r'^version = "([^"]+)"', files["pyproject.toml"], flags=re.M)
    init_file = next(
        text for name, text in files.items() if name.endswith("/__init__.py") and "/resources/" not in name
    )
    dunder = re.search(r'^__version__ = "([^"]+)"', init_file, flags=re.M)
    assert pyproject and dunder
    return pyproject.group(1), dunder.group(1)


def _generate_with_api_version(tmp_path: Path, api_version: str) -> tuple[str, str]:
    document = yaml.safe_load(PETSTORE.read_text())
    document["info"]["version"] = api_version
    spec = tmp_path / f"petstore-{api_version}.yaml"
    spec.write_text(yaml.safe_dump(document, sort_keys=False))
    return _versions(generate_package(spec).files)


def test_spec_version_change_changes_package_version(tmp_path: Path) -> None:
    old = _generate_with_api_version(tmp_path, "1.2.0")
    new = _generate_with_api_version(tmp_path, "1.3.0")
    assert old[0] == old[1] and new[0] == new[1], "pyproject and __version__ must agree"
    assert old[0] != new[0]
    assert old[0].startswith("1.2.0.") and new[0].startswith("1.3.0.")


def test_generator_version_change_changes_package_version(monkeypatch: pytest.MonkeyPatch) -> None:
    before = lower_module._package_version("3.0.0")
    monkeypatch.setattr(lower_module, "__version__", "0.2.0")
    after = lower_module._package_version("3.0.0")
    assert before != after and before.startswith("3.0.0.") and after.startswith("3.0.0.")


@pytest.mark.parametrize(
    ("api_version", "expected_prefix"), [("1.0.0", "1.0.0."), ("v3", "3.0.0."), ("2024-05-01", "2024.5.1.")]
)
def test_version_is_pep440_from_any_api_version(api_version: str, expected_prefix: str) -> None:
    from packaging.version import Version

    version = lower_module._package_version(api_version)
    assert version.startswith(expected_prefix)
    assert str(Version(version)) == version


# What each curated package was published as under the old scheme, before release records.
BUILT_BEFORE = {"reloop": "1.0.0.100", "reply": "3.0.0.100"}


@pytest.mark.parametrize("folder", ["reloop", "reply"])
def test_committed_packages_carry_their_release_version_and_api_version(folder: str) -> None:
    record = json.loads((ROOT / "specs" / "releases" / f"{folder}.json").read_text())
    api_version = str(yaml.safe_load((ROOT / "specs" / f"{folder}.yaml").read_text())["info"]["version"])
    files = read_tree(ROOT / "generated" / folder)
    pyproject_version, dunder = _versions(files)
    assert pyproject_version == dunder == record["version"] == record["releases"][0]["version"]
    assert Version(record["version"]) > Version(BUILT_BEFORE[folder])
    init_file = next(
        text for name, text in files.items() if name.endswith("/__init__.py") and "/resources/" not in name
    )
    assert f'__api_version__ = "{api_version}"' in init_file
    constants = next(text for name, text in files.items() if name.endswith("/_constants.py"))
    assert f'version="{record["version"]}"' in constants  # the User-Agent names the package version
    readme = files["README.md"]
    assert f"version {record['version']} of the package" in readme and f"version {api_version} of the API" in readme
    assert files["CHANGELOG.md"].count("\n## ") == len(record["releases"])
    assert len(Version(pyproject_version).release) == 3  # semantic, no generator number any more


def test_a_record_beside_a_spec_sets_version_and_changelog(tmp_path: Path) -> None:
    from codegen.release.flow import release

    spec = tmp_path / "petstore.yaml"
    spec.write_text(PETSTORE.read_text())
    assert "CHANGELOG.md" not in generate_package(spec).files
    outcome = release(spec, tmp_path / "out")
    assert outcome.bump == "first" and outcome.version == "1.3.0"  # default 1.2.0.100, one minor step on
    files = generate_package(spec).files
    assert _versions(files) == ("1.3.0", "1.3.0")
    assert "## 1.3.0" in files["CHANGELOG.md"] and "API version 1.2.0" in files["CHANGELOG.md"]
