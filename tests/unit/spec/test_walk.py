"""The one document walk: every object node, never the data inside it."""

from __future__ import annotations

from typing import Any

from codegen.prepare.slim import copy_without_examples
from codegen.spec.walk import rebuild, walk, walk_with_pointers


def test_data_is_not_walked_but_names_that_look_like_keywords_are() -> None:
    schema = {
        "type": "object",
        "properties": {
            "example": {"type": "string", "pattern": "^a"},
            "content": {"type": "string", "minLength": 1},
        },
        "example": {"pattern": "data, not a keyword"},
        "default": {"$ref": "#/not/a/ref"},
        "enum": [{"type": "value"}],
    }
    seen = [pointer for _, pointer in walk_with_pointers(schema, "/s")]
    assert seen == ["/s", "/s/properties/example", "/s/properties/content"]


def test_a_mapping_of_names_is_not_a_node_its_values_are() -> None:
    schemas = {"type": {"type": "string"}, "Pet": {"properties": {"name": {"type": "string"}}}}
    nodes = list(walk(schemas, "schemas"))
    assert schemas not in nodes
    assert nodes == [schemas["type"], schemas["Pet"], schemas["Pet"]["properties"]["name"]]


def test_example_objects_are_walked_their_values_are_not() -> None:
    media = {"examples": {"one": {"summary": "s", "value": {"$ref": "#/data"}}}}
    assert [p for _, p in walk_with_pointers(media)] == ["", "/examples/one"]


def test_a_visitor_may_change_a_node_before_its_children_are_walked() -> None:
    doc = {"a": {"b": {"c": {}}}}
    for node in walk(doc):
        node.pop("b", None)
    assert doc == {"a": {}}


def test_deep_documents_do_not_overflow() -> None:
    deep: dict[str, object] = {}
    node = deep
    for _ in range(5000):
        node["items"] = {}
        node = node["items"]  # type: ignore[assignment]
    assert sum(1 for _ in walk(deep)) == 5001


def test_rebuild_copies_nodes_in_document_order_and_shares_data() -> None:
    doc: dict[str, Any] = {
        "paths": {"/b": {"get": {"x": 1}}, "/a": {"get": {"x": 2}}},
        "default": {"description": "data "},
        "items": [{"n": 1}, "text", {"n": 2}],
    }
    seen: list[str | None] = []

    def edit(node: dict[str, Any], _context: str, pointer: str | None) -> dict[str, Any]:
        seen.append(pointer)
        return {**node, "seen": True}

    copy = rebuild(doc, edit, pointer="")
    assert seen == ["", "/paths/~1b", "/paths/~1b/get", "/paths/~1a", "/paths/~1a/get", "/items/0", "/items/2"]
    assert copy["paths"]["/b"]["get"] == {"x": 1, "seen": True}
    assert "seen" not in copy["paths"]  # a mapping of names is copied, not edited
    assert copy["items"] == [{"n": 1, "seen": True}, "text", {"n": 2, "seen": True}]
    assert copy["default"] is doc["default"]  # data is shared, never edited
    assert "seen" not in doc and "seen" not in doc["paths"]["/b"]["get"]
    untracked: list[str | None] = []

    def keep(node: dict[str, Any], _context: str, pointer: str | None) -> dict[str, Any]:
        untracked.append(pointer)
        return dict(node)

    assert rebuild(doc, keep) == doc
    assert set(untracked) == {None}  # no pointers unless asked for


def test_deep_documents_rebuild_without_overflow() -> None:
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(5000):
        node["items"] = {}
        node = node["items"]
    copy = rebuild(deep, lambda n, _c, _p: dict(n))
    assert copy is not deep and sum(1 for _ in walk(copy)) == 5001


def test_the_prepared_copy_drops_examples_outside_schemas_only() -> None:
    doc: dict[str, Any] = {
        "paths": {
            "/x": {
                "get": {
                    "parameters": [{"name": "q", "in": "query", "example": "a", "schema": {"example": "kept"}}],
                    "responses": {"200": {"content": {"application/json": {"schema": {}, "examples": {"e": {}}}}}},
                }
            }
        },
        "components": {
            "examples": {"e": {"value": 1}},
            "parameters": {"in": {"name": "in", "in": "query"}, "example": {"name": "example", "in": "query"}},
            "schemas": {
                "S": {"enum": ["a"], "x-enum-descriptions": ["A"], "description": "text  \nmore "},
                "T": {"properties": {"a": {"type": "string", "nullable": False}, "b": {"nullable": True}}},
            },
        },
    }
    slim = copy_without_examples(doc)
    parameter = slim["paths"]["/x"]["get"]["parameters"][0]
    assert "example" not in parameter and parameter["schema"] == {"example": "kept"}
    assert slim["paths"]["/x"]["get"]["responses"]["200"]["content"]["application/json"] == {"schema": {}}
    assert "examples" not in slim["components"]
    assert set(slim["components"]["parameters"]) == {"in", "example"}  # names, not example keys
    assert slim["components"]["schemas"]["S"] == {"enum": ["a"], "description": "text\nmore"}
    # `nullable: false` says what its absence says; the model generator would type the optional field as never None
    assert slim["components"]["schemas"]["T"]["properties"] == {"a": {"type": "string"}, "b": {"nullable": True}}
    assert "example" in doc["paths"]["/x"]["get"]["parameters"][0]  # the loaded document is left as it was
