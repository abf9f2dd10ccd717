"""The one document walk: every object node, never the data inside it."""

from __future__ import annotations

from codegen.spec.walk import walk, walk_with_pointers


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
