"""Lines of JSON documents: pretty-printed ones by pointer, minified ones all on line 1."""

from __future__ import annotations

import json
from pathlib import Path

from codegen.spec.jsonlines import json_lines
from codegen.spec.load import load_spec, resolve_pointer

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


CASES = [
    DOCUMENT,
    {"a": [], "b": {}, "c": [1, {"d": [{"e": None}], "f": 'x\n"y\\'}], "ü/~k": {"g": [[1, 2], []]}},
    [{"k": 1}, [], "s", {"x": {"y": {"z": [True]}}}],
]


def test_lines_from_the_layout_agree_with_the_token_pass() -> None:
    """The same line for every pointer the token pass finds; also the lines of number, boolean
    and null array items, which the token pass leaves to their array's line."""
    for document in CASES:
        for indent in (2, 4, "\t"):
            text = json.dumps(document, indent=indent, ensure_ascii=False)
            fast, slow = json_lines(text, "f.json", document), json_lines(text, "f.json")
            assert fast.items() >= slow.items(), (document, indent)
            physical = text.split("\n")
            for pointer in fast.keys() - slow.keys():
                value = resolve_pointer(document, pointer)
                assert value is None or isinstance(value, bool | int | float), pointer
                assert physical[fast[pointer] - 1].strip().rstrip(",") == json.dumps(value), pointer


def test_any_other_layout_falls_back_to_the_token_pass() -> None:
    document = {"a": {"b": 1}, "c": [1, 2]}
    for text in (
        '{\n  "a": {"b": 1},\n  "c": [\n    1,\n    2\n  ]\n}',  # one object on one line
        '{\n  "a": {\n    "b": 1\n  },\n\n  "c": [\n    1,\n    2\n  ]\n}',  # a blank line
        '{\n  "c": [\n    1,\n    2\n  ],\n  "a": {\n    "b": 1\n  }\n}',  # keys in another order
    ):
        assert json_lines(text, "f.json", document) == json_lines(text, "f.json")
