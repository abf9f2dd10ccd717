"""A process that needs only the prepared document makes it of the loaded one (prepare's
`in_place`): the same document, names and origins as the copy, and only where no node of the
loaded document is in two places."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
import yaml

from codegen.prepare import prepare
from codegen.spec.load import load_spec

ROOT = Path(__file__).resolve().parents[3]
SPECS = sorted((ROOT / "tests" / "fixtures" / "specs").glob("*.yaml")) + sorted((ROOT / "specs").glob("*.yaml"))


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_in_place_prepares_what_the_copy_does(spec: Path, tmp_path: Path) -> None:
    as_json = tmp_path / f"{spec.stem}.json"
    as_json.write_text(json.dumps(yaml.safe_load(spec.read_text(encoding="utf-8")), indent=2), encoding="utf-8")
    if (spec.parent / "_parts").is_dir():  # the files its $refs name
        shutil.copytree(spec.parent / "_parts", tmp_path / "_parts")
    copied = prepare(load_spec(as_json))
    loaded = load_spec(as_json)
    bundled = loaded.refs is None
    assert loaded.distinct_nodes is not bundled
    made = prepare(loaded, in_place=True)
    assert (made.document is loaded.data) is not bundled
    assert made.document == copied.document
    assert (made.class_names, made.origins, made.diagnostics) == (
        copied.class_names,
        copied.origins,
        copied.diagnostics,
    )


def test_a_document_with_shared_nodes_is_copied(tmp_path: Path) -> None:
    path = tmp_path / "aliases.yaml"
    path.write_text(
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\n"
        "paths:\n  /a:\n    get:\n      responses:\n        '200': &ok\n          description: ok  \n"
        "          content: {application/json: {schema: {$ref: '#/components/schemas/pet-input'}, example: 1}}\n"
        "  /b:\n    get:\n      responses:\n        '200': *ok\n"
        "components:\n  schemas:\n    pet-input: {type: object, example: {a: 1}}\n",
        encoding="utf-8",
    )
    loaded = load_spec(path)
    assert not loaded.distinct_nodes
    before = copy.deepcopy(loaded.data)
    made = prepare(loaded, in_place=True)
    assert loaded.data == before and made.document is not loaded.data
    assert made.document == prepare(load_spec(path)).document
