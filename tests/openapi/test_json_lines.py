"""Lines of JSON documents: pretty-printed ones by pointer, minified ones all on line 1."""

from __future__ import annotations

import json
from pathlib import Path

from codegen.spec.load import load_spec

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "T", "version": "1"},
    "paths": {"/things": {"get": {"responses": {"200": {"description": "ok"}}}}},
}


def test_pretty_json_lines_by_pointer(tmp_path: Path) -> None:
    spec = tmp_path / "pretty.json"
    spec.write_text(json.dumps(DOCUMENT, indent=2), encoding="utf-8")
    source = load_spec(spec).source
    assert source.line("/paths/~1things/get") == 9
    assert source.line("/info/title") == 4


def test_minified_json_is_all_on_line_one(tmp_path: Path) -> None:
    spec = tmp_path / "minified.json"
    spec.write_text(json.dumps(DOCUMENT) + "\n", encoding="utf-8")
    source = load_spec(spec).source
    assert source.compute is None  # nothing left to compute
    assert source.line("/paths/~1things/get/responses/200") == 1
    assert source.line("/no/such/pointer") == 1
