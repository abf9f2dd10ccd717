"""Recursive and mutually recursive schemas, additionalProperties, cookie auth."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .conftest import Generated, Wire, json_response


@pytest.fixture
def rec(fixture_package: Any) -> Generated:
    gen: Generated = fixture_package("recursive")
    return gen


def test_self_recursive_tree(rec: Generated, wire: Wire) -> None:
    body = {"value": 1, "children": [{"value": 2, "children": [{"value": 3}]}], "parent": None}
    client = wire.client(rec, lambda r: json_response(body))
    tree = wire.call(client.trees.get(1))
    assert tree.children[0].children[0].value == 3 and tree.parent is None
    assert wire.last.headers["Cookie"] == "session_id=secret-key"


def test_mutually_recursive(rec: Generated, wire: Wire) -> None:
    body = {"name": "Ada", "employer": {"name": "ACME", "ceo": {"name": "Bob"}, "employees": [{"name": "Ada"}]}}
    client = wire.client(rec, lambda r: json_response(body))
    person = wire.call(client.people.get("Ada"))
    assert type(person.employer).__name__ == "Company" and person.employer.ceo.name == "Bob"


def test_additional_properties(rec: Generated, wire: Wire) -> None:
    doc = {
        "id": "d1",
        "labels": {"a": "b"},
        "counts": {"x": 1},
        "sections": {"intro": {"id": "d2"}},
        "extra": {"anything": [1, {"deep": True}]},
        "closed": {"flag": True, "added_later": 1},
    }
    client = wire.client(rec, lambda r: json_response(json.loads(r.content) if r.content else {"k": "v"}))
    back = wire.call(client.documents.create(**doc))
    assert json.loads(wire.last.content) == doc
    assert back.sections["intro"].id == "d2" and back.counts == {"x": 1}
    assert back.closed.flag is True  # a closed object still tolerates fields the server adds later
    labels = wire.call(client.documents.get_labels())
    assert labels == {"k": "v"}


def test_type_arrays_and_nullable_enum(rec: Generated) -> None:
    m = rec.models
    doc = m.Document.model_validate({"id": "d", "version": 3, "note": None, "level": "high"})
    assert doc.version == 3 and doc.note is None and doc.level is m.DocumentLevel.HIGH
    assert m.Document.model_validate({"id": "d", "version": "v3", "level": None}).version == "v3"
