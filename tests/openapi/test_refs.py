"""$ref to other files: schemas, parameters and nested references are bundled."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from codegen.diagnostics import SpecError
from codegen.spec.load import load_spec
from codegen.spec.validate import validate_openapi

from .conftest import SPECS, Generated, Wire, json_response


@pytest.fixture
def refs(fixture_package: Any) -> Generated:
    gen: Generated = fixture_package("refs")
    return gen


def test_models_from_other_files(refs: Generated) -> None:
    m = refs.models
    product = m.Product.model_validate(
        {
            "id": "p",
            "price": {"amount": "9.50", "currency": "EUR"},
            "related": [{"id": "q", "price": {"amount": "1", "currency": "JPY"}}],
        }
    )
    assert product.price.currency is m.Currency.EUR and product.related[0].price.currency is m.Currency.JPY
    assert issubclass(m.ProductList, m.Page)
    listing = m.ProductList.model_validate({"items": [], "total": {"amount": "0", "currency": "USD"}})
    assert type(listing.total) is m.Money  # a local ref inside the other file


def test_parameters_from_other_files(refs: Generated, wire: Wire) -> None:
    client = wire.client(refs, lambda r: json_response({"items": [], "next": None}))
    page = wire.call(client.products.list(cursor="c1", currency=refs.models.Currency.USD))
    assert dict(wire.last.url.params) == {"cursor": "c1", "currency": "USD"}
    assert wire.last.headers["Authorization"] == "Bearer secret-key"
    assert page.items == [] and page.next is None


def test_local_response_ref(refs: Generated, wire: Wire) -> None:
    client = wire.client(refs, lambda r: json_response({"message": "gone"}, 404))
    with pytest.raises(refs.module.NotFoundError):
        wire.call(client.products.get("p"))


def test_diagnostics_inside_other_files_name_that_file() -> None:
    spec = load_spec(SPECS / "refs.yaml")
    file, line = spec.where("/components/schemas/Money/properties/currency")
    assert file.endswith("_parts/common.yaml") and line == 10


def test_ref_keys_inside_examples_and_defaults_are_data(tmp_path: Path) -> None:
    """GitHub's spec has `$ref` to a file that does not exist inside an Example Object's value:
    example values are literal JSON, so nothing there is resolved or reported."""
    dangling = {"$ref": "no-such-file.yaml"}
    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "openapi": "3.0.3",
                "info": {"title": "T", "version": "1"},
                "paths": {},
                "components": {
                    "examples": {"stats": {"value": [{"actions": dangling}]}},
                    "schemas": {
                        "Thing": {
                            "type": "object",
                            "example": dangling,
                            "default": dangling,
                            "properties": {
                                "example": {"$ref": "part.json#/Part"},
                                "list": {"type": "array", "items": {}, "examples": [[dangling]]},
                            },
                        }
                    },
                },
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "part.json").write_text(json.dumps({"Part": {"type": "string"}}), encoding="utf-8")
    loaded = load_spec(spec)
    schemas = loaded.data["components"]["schemas"]
    assert loaded.data["components"]["examples"]["stats"]["value"] == [{"actions": dangling}]
    assert schemas["Thing"]["example"] == dangling and schemas["Thing"]["default"] == dangling
    # A property *named* "example" is a schema, and its ref to another file is bundled.
    assert schemas["Thing"]["properties"]["example"] == {"$ref": "#/components/schemas/Part"}
    assert schemas["Part"] == {"type": "string"}


def test_path_items_operations_and_property_maps_from_other_files(refs: Generated, wire: Wire) -> None:
    """A path item, an operation and a mapping of properties given as $ref to other files are
    copied in place (components have no section for them); their own refs still resolve."""
    orders = [{"id": "o1", "total": {"amount": "3", "currency": "EUR"}}]
    client = wire.client(refs, lambda r: json_response(orders if r.url.path == "/orders" else orders[0]))
    listed = wire.call(client.orders.list(cursor="c"))
    assert wire.last.url.path == "/orders" and dict(wire.last.url.params) == {"cursor": "c"}
    assert type(listed[0]) is refs.models.Order and type(listed[0].total) is refs.models.Money
    one = wire.call(client.orders.get("o1"))
    assert wire.last.url.path == "/orders/o1" and one.total.currency is refs.models.Currency.EUR


def test_parts_copied_in_place_keep_their_files_lines_and_texts() -> None:
    spec = load_spec(SPECS / "refs.yaml")
    assert spec.where("/paths/~1orders~1{id}/get/parameters/0") == ("tests/fixtures/specs/_parts/orders.yaml", 22)
    assert spec.where("/components/schemas/Order/properties/total") == (
        "tests/fixtures/specs/_parts/order_properties.yaml",
        3,
    )
    assert spec.data["tags"] == [{"name": "orders", "description": "Orders placed in the shop."}]
    sample = {"lang": "cURL", "source": "curl https://shop.example.com/orders"}
    assert spec.data["paths"]["/orders"]["get"]["x-codeSamples"] == [sample]
    assert "listOrdersSample" not in spec.data["components"]["schemas"]  # never a model


def test_a_path_item_that_refers_back_to_itself_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a: {$ref: 'items.yaml#/a'}\n", encoding="utf-8"
    )
    (tmp_path / "items.yaml").write_text("a: {$ref: '#/a'}\n", encoding="utf-8")
    with pytest.raises(SpecError) as raised:
        load_spec(tmp_path / "spec.yaml")
    assert "refers back to itself" in str(raised.value)


def test_refs_the_json_parser_meets_in_examples_change_nothing(tmp_path: Path) -> None:
    """The JSON loader collects "$ref" strings as it parses, examples included: one there that
    names another file, or leads nowhere, must neither be bundled nor reported."""
    spec = tmp_path / "spec.json"
    document = {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "example": {"a": {"$ref": "#/nowhere"}, "b": {"$ref": "gone.json"}},
                    "properties": {"broken": {"$ref": "#/components/schemas/Missing"}},
                }
            }
        },
    }
    spec.write_text(json.dumps(document, indent=2), encoding="utf-8")
    loaded = load_spec(spec)
    assert loaded.source.refs_met is not None and "gone.json" in loaded.source.refs_met
    assert loaded.data == document, "nothing bundled"
    found = [str(d) for d in validate_openapi(loaded)]
    assert len(found) == 1 and "#/components/schemas/Missing" in found[0], found
