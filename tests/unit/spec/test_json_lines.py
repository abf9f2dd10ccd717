"""Lines of JSON documents: pretty-printed ones by pointer, minified ones all on line 1."""

from __future__ import annotations

import json
from pathlib import Path

from codegen.spec.jsonlines import LaidOutLines, OtherLayout, json_lines
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


def test_a_pointer_is_found_in_the_text_without_laying_out_the_document() -> None:
    """LaidOutLines answers one pointer by searching the text: the same line as the whole
    layout gives, for every pointer, whatever the indentation or the escaping of keys."""
    for document in [*CASES, {"k\u00e9y": {"caf\u00e9": [{"a": 1}, 2]}, "dup": {"x": {"x": 1}}}]:
        for indent in (2, 4, "\t"):
            for ascii_only in (True, False):
                text = json.dumps(document, indent=indent, ensure_ascii=ascii_only)
                found = LaidOutLines(text, json.loads(text))
                for pointer, line in json_lines(text, "f.json", document).items():
                    assert found.line(pointer) == line, (document, indent, pointer)


def test_a_pointer_past_the_document_gets_the_line_of_the_nearest_node_above_it() -> None:
    text = json.dumps(DOCUMENT, indent=2)
    found = LaidOutLines(text, DOCUMENT)
    assert found.line("/paths/~1things/get/parameters/0") == found.line("/paths/~1things/get") == 9
    assert found.line("/info/title/deeper") == 4
    assert found.line("/nothing") == found.line("") == 1


def test_a_text_laid_out_otherwise_is_refused_never_answered_wrongly() -> None:
    document = {"a": {"b": 1}, "c": [1, 2], "d": {"b": 2}}
    for text in (
        '{\n  "a": {"b": 1},\n  "c": [\n    1,\n    2\n  ],\n  "d": {\n    "b": 2\n  }\n}',  # one object on one line
        '{\n  "a": {\n      "b": 1\n  },\n  "c": [1, 2],\n  "d": {\n    "b": 2\n  }\n}',  # uneven indentation
        '{\n  "a": {\n    "b": 1\n  },\n  "a": {\n    "b": 1\n  },\n  "c": [\n    1,\n    2\n  ],\n  "d": {"b": 2}\n}',
    ):
        data = json.loads(text)
        assert data == document  # the same data, laid out otherwise
        slow = json_lines(text, "f.json")
        try:
            found = LaidOutLines(text, data)
        except OtherLayout:
            continue
        for pointer in ("/a/b", "/a", "/d/b", "/d", "/c"):
            try:
                assert found.line(pointer) == slow[pointer], (text, pointer)
            except OtherLayout:
                pass


def test_a_spec_with_a_warning_names_its_line_found_in_the_text(tmp_path: Path) -> None:
    spec = tmp_path / "pretty.json"
    spec.write_text(json.dumps(DOCUMENT, indent=2), encoding="utf-8")
    source = load_spec(spec).source
    assert source.line("/info/title") == 4
    assert source.compute is not None  # the whole layout was never computed


def test_keys_validation_dropped_from_the_data_are_passed_over() -> None:
    """Validation drops what it cannot use (a broken $ref, a default of the wrong type) before
    lowering asks for lines: the text still has the key, the data no longer does."""
    document = {"a": {"x": {"$ref": 5}, "y": {"type": "string"}, "z": [1, {"k": 2}]}, "b": {"x": 1}}
    text = json.dumps(document, indent=2)
    slow = json_lines(text, "f.json")
    data = json.loads(text)
    del data["a"]["x"]
    found = LaidOutLines(text, data)
    for pointer in ("/a/y", "/a/y/type", "/a/z/1/k", "/b/x"):
        assert found.line(pointer) == slow[pointer], pointer


def test_a_key_of_a_later_object_is_never_taken_for_one_on_a_single_line() -> None:
    """An object written on one line has no key lines: the next line at its keys' indentation
    with the same key and value belongs to another object, and must not answer for it."""
    text = '{\n  "a": {"b": 1},\n  "d": {\n    "b": 1\n  }\n}'
    found = LaidOutLines(text, json.loads(text))
    assert found.line("/d/b") == 4
    try:
        line = found.line("/a/b")
    except OtherLayout:
        return
    assert line == 2
