"""The distribution version follows the spec's info.version and the generator's version, so any
spec change that reaches users also reaches them as a new version."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import codegen
from codegen import lower as lower_module
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


def test_committed_packages_carry_their_spec_versions() -> None:
    for folder, spec in (("reloop", "reloop.yaml"), ("reply", "reply.yaml")):
        api_version = str(yaml.safe_load((ROOT / "specs" / spec).read_text())["info"]["version"])
        pyproject = (ROOT / "generated" / folder / "pyproject.toml").read_text()
        assert f'version = "{lower_module._package_version(api_version)}"' in pyproject
        assert codegen.__version__  # the generator's own version takes part in the scheme
