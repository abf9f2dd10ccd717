"""Project URLs in the distribution's metadata come from the spec: info.contact.url, externalDocs."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

from codegen.pipeline import generate_package

from .conftest import ROOT

PETSTORE = ROOT / "tests" / "fixtures" / "specs" / "petstore.yaml"


def _urls(tmp_path: Path, contact: str | None = None, docs: str | None = None) -> dict[str, str] | None:
    document = yaml.safe_load(PETSTORE.read_text())
    if contact is not None:
        document["info"]["contact"] = {"name": "Pets", "url": contact}
    if docs is not None:
        document["externalDocs"] = {"url": docs}
    spec = tmp_path / "petstore.yaml"
    spec.write_text(yaml.safe_dump(document, sort_keys=False))
    project = tomllib.loads(generate_package(spec).files["pyproject.toml"])["project"]
    urls: dict[str, str] | None = project.get("urls")
    return urls


def test_contact_and_external_docs_become_project_urls(tmp_path: Path) -> None:
    urls = _urls(tmp_path, "https://pets.example.com", "https://docs.pets.example.com/api")
    assert urls == {"Homepage": "https://pets.example.com", "Documentation": "https://docs.pets.example.com/api"}


def test_no_links_no_table_and_odd_ones_are_dropped(tmp_path: Path) -> None:
    assert _urls(tmp_path) is None
    assert _urls(tmp_path, "mailto:pets@example.com", "https://docs example") is None
    assert _urls(tmp_path, "https://p.example", "https://p.example") == {"Homepage": "https://p.example"}
