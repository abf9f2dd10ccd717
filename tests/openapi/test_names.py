"""Python keywords and builtins, dashes, dots, spaces and non-ASCII letters as names."""

from __future__ import annotations

import inspect
from typing import Any

import httpx
import pytest

from .conftest import Generated, Wire, json_response


@pytest.fixture
def names(fixture_package: Any) -> Generated:
    gen: Generated = fixture_package("names")
    return gen


def test_resources_and_methods(names: Generated) -> None:
    client = names.module.NamingEdgeCases(api_key="k")
    assert callable(client.item_store.get_item_by_id)
    assert callable(client.class_.get_class_list)  # keyword tag, no operationId
    assert callable(client.global_.import_) and callable(client.global_.post_global)  # duplicate operationId


def test_parameters_keep_wire_names(names: Generated, wire: Wire) -> None:
    client = wire.client(names, lambda r: json_response({"class": "c", "from": "f"}))
    signature = inspect.signature(type(client.item_store).get_item_by_id)
    assert {"item_id", "from_", "class_", "type", "self_", "timeout_", "x_request_id", "filter_name", "grosse"} <= set(
        signature.parameters
    )
    record = wire.call(
        client.item_store.get_item_by_id(
            "a/b",
            from_="x",
            class_="y",
            type="t",
            self_="s",
            timeout_=5,
            x_request_id="rid",
            filter_name="n",
            grosse="XL",
        )
    )
    request = wire.last
    assert request.url.raw_path.startswith(b"/items/a%2Fb?")
    params = request.url.params
    assert (params["from"], params["class"], params["type"], params["self"], params["timeout"]) == (
        "x",
        "y",
        "t",
        "s",
        "5",
    )
    assert params["filter.name"] == "n" and params["größe"] == "XL"
    assert request.headers["X-Request-ID"] == "rid"
    assert (record.class_, record.from_) == ("c", "f")


def test_model_fields_with_aliases(names: Generated) -> None:
    m = names.models
    record = m.ItemRecord.model_validate(
        {
            "class": "c",
            "from": "f",
            "self": "s",
            "model_config": "mc",
            "json": "j",
            "dict": "d",
            "first name": "Ada",
            "first-name": "Lovelace",
            "@type": "t",
            "$ref": "r",
            "größe": 1.5,
            "123abc": "n",
            "_private": "p",
        }
    )
    assert (record.class_, record.from_, record.self, record.model_config_, record.json_, record.dict_) == (
        "c",
        "f",
        "s",
        "mc",
        "j",
        "d",
    )
    assert (record.first_name, record.first_name_1, record.field_type, record.field_ref) == (
        "Ada",
        "Lovelace",
        "t",
        "r",
    )
    assert record.model_dump(by_alias=True, exclude_unset=True)["123abc"] == "n"
    assert m.CafeMenu(dish="soup").dish == "soup"
    assert m.List.model_validate({"items": ["a"]}).items == ["a"]
    assert m.日本.model_validate({"名前": "x"}).名前 == "x"


def test_no_content_response(names: Generated, wire: Wire) -> None:
    client = wire.client(names, lambda r: httpx.Response(204))
    assert wire.call(client.global_.post_global(items=["a"])) is None
    assert wire.last.method == "POST"


def test_class_named_in_japanese(names: Generated, wire: Wire) -> None:
    client = wire.client(names, lambda r: json_response({"名前": "x"}))
    result = wire.call(client.global_.import_())
    assert type(result).__name__ == "日本" and result.名前 == "x"


def test_colliding_component_names_are_suffixed_stably() -> None:
    from codegen.prepare import class_names_for

    assert class_names_for(["dataArray", "DataArray"]) == {"dataArray": "DataArray2", "DataArray": "DataArray"}
    assert class_names_for(["DataArray", "dataArray"]) == {"DataArray": "DataArray", "dataArray": "DataArray2"}
    # A name already spelled DataArray2 keeps it; the suffix skips to the next free number.
    names = class_names_for(["data-array", "data_array", "DataArray2"])
    assert names == {"data-array": "DataArray", "data_array": "DataArray3", "DataArray2": "DataArray2"}
