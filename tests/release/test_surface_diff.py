"""`codegen diff` on pairs of small specs: the shop spec and a copy with one change each.

Every case names the change it expects (class and text) and the bump; nothing else may change.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from codegen import cli
from codegen.surface import Change, bump_for, compare
from codegen.surface.load import load_surface

HERE = Path(__file__).resolve().parent
BASE = HERE / "specs" / "shop.yaml"
Spec = dict[str, Any]


def _base() -> Spec:
    document: Spec = yaml.safe_load(BASE.read_text())
    return document


def _op(spec: Spec, path: str, method: str) -> Spec:
    operation: Spec = spec["paths"][path][method]
    return operation


def _param(spec: Spec, path: str, method: str, name: str) -> Spec:
    return next(p for p in _op(spec, path, method)["parameters"] if p["name"] == name)


def _schema(spec: Spec, name: str) -> Spec:
    schema: Spec = spec["components"]["schemas"][name]
    return schema


def remove_operation(s: Spec) -> None:
    del s["paths"]["/orders/{order_id}"]["delete"]


def add_operation(s: Spec) -> None:
    s["paths"]["/orders/{order_id}"]["patch"] = {
        "operationId": "updateOrder",
        "tags": ["orders"],
        "responses": {"204": {"description": "Updated"}},
    }


def remove_resource(s: Spec) -> None:
    del s["paths"]["/customers"]


def add_optional_parameter(s: Spec) -> None:
    _op(s, "/orders", "get")["parameters"].append({"name": "sort", "in": "query", "schema": {"type": "string"}})


def add_required_parameter(s: Spec) -> None:
    _op(s, "/orders", "get")["parameters"].append(
        {"name": "shop", "in": "query", "required": True, "schema": {"type": "string"}}
    )


def remove_parameter(s: Spec) -> None:
    _op(s, "/orders", "get")["parameters"].pop(0)


def rename_parameter(s: Spec) -> None:
    _param(s, "/orders", "get", "q")["name"] = "query"


def parameter_made_required(s: Spec) -> None:
    _param(s, "/orders", "get", "q")["required"] = True


def parameter_made_optional(s: Spec) -> None:
    _param(s, "/orders/{order_id}", "get", "expand")["required"] = False


def parameter_narrowed(s: Spec) -> None:
    _param(s, "/orders", "get", "q")["schema"] = {"type": "string", "enum": ["a", "b"]}


def parameter_widened(s: Spec) -> None:
    _param(s, "/orders", "get", "limit")["schema"] = {"type": "number"}


def request_enum_value_added(s: Spec) -> None:
    _schema(s, "Priority")["enum"].append("urgent")


def request_enum_value_removed(s: Spec) -> None:
    _schema(s, "StatusFilter")["enum"].remove("closed")


def response_enum_value_added(s: Spec) -> None:
    _schema(s, "OrderStatus")["enum"].append("refunded")


def response_field_added(s: Spec) -> None:
    _schema(s, "Order")["properties"]["currency"] = {"type": "string"}


def response_field_removed(s: Spec) -> None:
    del _schema(s, "Order")["properties"]["note"]


def response_field_renamed(s: Spec) -> None:
    properties = _schema(s, "Order")["properties"]
    properties["comment"] = properties.pop("note")


def response_field_made_optional(s: Spec) -> None:
    _schema(s, "Order")["required"].remove("total")


def response_field_made_nullable(s: Spec) -> None:
    _schema(s, "Order")["properties"]["total"] = {"type": ["number", "null"]}


def response_field_narrowed(s: Spec) -> None:
    _schema(s, "Order")["properties"]["total"] = {"type": "integer"}


def response_field_widened(s: Spec) -> None:
    _schema(s, "Order")["properties"]["total"] = {"type": ["number", "string"]}


def body_field_added_optional(s: Spec) -> None:
    _schema(s, "NewOrder")["properties"]["gift"] = {"type": "boolean"}


def body_field_added_required(s: Spec) -> None:
    _schema(s, "NewOrder")["properties"]["gift"] = {"type": "boolean"}
    _schema(s, "NewOrder")["required"].append("gift")


def body_field_removed(s: Spec) -> None:
    del _schema(s, "NewOrder")["properties"]["quantity"]


def body_field_made_optional(s: Spec) -> None:
    _schema(s, "NewOrder")["required"].remove("item")


def body_made_optional(s: Spec) -> None:
    _op(s, "/orders", "post")["requestBody"]["required"] = False


def return_type_widened(s: Spec) -> None:
    _op(s, "/orders/{order_id}", "get")["responses"]["204"] = {"description": "Nothing yet"}


def model_renamed(s: Spec) -> None:
    schemas = s["components"]["schemas"]
    schemas["Shopper"] = schemas.pop("Customer")
    _op(s, "/customers", "get")["responses"]["200"]["content"]["application/json"]["schema"]["items"] = {
        "$ref": "#/components/schemas/Shopper"
    }


def operation_deprecated(s: Spec) -> None:
    _op(s, "/orders/{order_id}", "delete")["deprecated"] = True


def description_only(s: Spec) -> None:
    _op(s, "/orders", "get")["summary"] = "List every order"


def parameter_description_only(s: Spec) -> None:
    _param(s, "/orders", "get", "q")["description"] = "Free text search."


def quota_changed(s: Spec) -> None:
    s["x-sdk"]["rate_limits"] = [{"requests": 5, "per": 1}]


def api_version_changed(s: Spec) -> None:
    s["info"]["version"] = "2.1.0"


# (change to the spec, expected changes as (class, where, text fragment), bump)
CASES: list[tuple[Callable[[Spec], None], list[tuple[str, str, str]], str]] = [
    (remove_operation, [("breaking", "client.orders.delete()", "removed method (DELETE /orders/{order_id})")], "major"),
    (add_operation, [("additive", "client.orders.update()", "added method (PATCH /orders/{order_id})")], "minor"),
    (remove_resource, [("breaking", "client.customers", "removed resource (methods: list)")], "major"),
    (add_optional_parameter, [("additive", "client.orders.list()", "added optional parameter sort: str")], "minor"),
    (add_required_parameter, [("breaking", "client.orders.list()", "added required parameter shop: str")], "major"),
    (remove_parameter, [("breaking", "client.orders.list()", "removed parameter limit")], "major"),
    (rename_parameter, [("breaking", "client.orders.list()", "renamed parameter q to query")], "major"),
    (parameter_made_required, [("breaking", "client.orders.list()", "parameter q is now required")], "major"),
    (parameter_made_optional, [("additive", "client.orders.get()", "parameter expand is now optional")], "minor"),
    (
        parameter_narrowed,
        [("breaking", "client.orders.list()", "parameter q narrowed: str -> Literal['a', 'b']")],
        "major",
    ),
    (parameter_widened, [("additive", "client.orders.list()", "parameter limit widened: int -> float")], "minor"),
    (
        request_enum_value_added,
        [("additive", "models.Priority", "added value 'urgent' (URGENT), in requests")],
        "minor",
    ),
    (request_enum_value_removed, [("breaking", "models.StatusFilter", "removed value 'closed' (CLOSED)")], "major"),
    (
        response_enum_value_added,
        [("breaking", "models.OrderStatus", "added value 'refunded' (REFUNDED), in responses")],
        "major",
    ),
    (response_field_added, [("additive", "models.Order", "added optional field currency: str | None")], "minor"),
    (response_field_removed, [("breaking", "models.Order", "removed field note")], "major"),
    (response_field_renamed, [("breaking", "models.Order", "renamed field note to comment")], "major"),
    (response_field_made_optional, [("breaking", "models.Order.total", "now optional (may be None)")], "major"),
    (response_field_made_nullable, [("breaking", "models.Order.total", "now nullable (may be None)")], "major"),
    (
        response_field_narrowed,
        [("additive", "models.Order.total", "type narrowed: float -> int, in responses")],
        "minor",
    ),
    (response_field_widened, [("breaking", "models.Order.total", "type widened: float -> float | str")], "major"),
    # A body field is a keyword argument of the method and a field of the request model: both change.
    (
        body_field_added_optional,
        [
            ("additive", "client.orders.create()", "added optional parameter gift: bool"),
            ("additive", "models.NewOrder", "added optional field gift: bool | None"),
        ],
        "minor",
    ),
    (
        body_field_added_required,
        [
            ("breaking", "client.orders.create()", "added required parameter gift: bool"),
            ("breaking", "models.NewOrder", "added required field gift: bool, in requests"),
        ],
        "major",
    ),
    (
        body_field_removed,
        [
            ("breaking", "client.orders.create()", "removed parameter quantity"),
            ("breaking", "models.NewOrder", "removed field quantity"),
        ],
        "major",
    ),
    (
        body_field_made_optional,
        [
            ("additive", "client.orders.create()", "parameter item is now optional"),
            ("additive", "models.NewOrder.item", "now optional (may be None), in requests"),
        ],
        "minor",
    ),
    # Keyword bodies follow the body schema's own required list; whether the body as a whole is
    # required does not reach the Python surface.
    (body_made_optional, [], None),
    (return_type_widened, [("breaking", "client.orders.get()", "return type widened: Order -> Order | None")], "major"),
    (
        model_renamed,
        [
            ("breaking", "models.Customer", "removed model"),
            ("additive", "models.Shopper", "added model"),
            ("breaking", "client.customers.list()", "return type changed: list[Customer] -> list[Shopper]"),
        ],
        "major",
    ),
    (operation_deprecated, [("additive", "client.orders.delete()", "deprecated")], "minor"),
    (description_only, [("other", "client.orders.list()", "description changed")], "patch"),
    (parameter_description_only, [("other", "client.orders.list()", "description of parameter q changed")], "patch"),
    (quota_changed, [("other", "quotas", "every operation: 10 per 1 s -> 5 per 1 s")], "patch"),
    (api_version_changed, [("other", "package", "API version 2.0.0 -> 2.1.0")], "patch"),
]


@pytest.fixture(scope="module")
def base_surface() -> dict[str, Any]:
    return load_surface(BASE)


def _changed(tmp_path: Path, change: Callable[[Spec], None]) -> Path:
    spec = copy.deepcopy(_base())
    change(spec)
    path = tmp_path / f"{change.__name__}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


@pytest.mark.parametrize(("change", "expected", "bump"), CASES, ids=[c[0].__name__ for c in CASES])
def test_one_change_is_reported_and_classed(
    tmp_path: Path,
    base_surface: dict[str, Any],
    change: Callable[[Spec], None],
    expected: list[tuple[str, str, str]],
    bump: str,
) -> None:
    changes = compare(base_surface, load_surface(_changed(tmp_path, change)))
    seen = [(c.severity, c.where, c.text) for c in changes]
    assert len(changes) == len(expected), seen
    for severity, where, fragment in expected:
        assert any(c.severity == severity and c.where == where and fragment in c.text for c in changes), seen
    assert bump_for(changes) == bump


def test_same_spec_has_no_change(base_surface: dict[str, Any]) -> None:
    assert compare(base_surface, base_surface) == []
    assert bump_for([]) is None


def test_exceptions_and_other_exports(base_surface: dict[str, Any]) -> None:
    # The exception classes come from the runtime, the same in every package: edit the surface.
    fewer = copy.deepcopy(base_surface)
    fewer["exports"].remove("ConflictError")
    more = copy.deepcopy(base_surface)
    more["exports"].append("GoneError")
    assert [c.line() for c in compare(base_surface, fewer)] == [
        "breaking:  exports: removed exception shop.ConflictError"
    ]
    assert [c.line() for c in compare(base_surface, more)] == ["additive:  exports: added exception shop.GoneError"]


def test_breaking_changes_come_first_and_the_last_line_names_the_bump(tmp_path: Path) -> None:
    def several(s: Spec) -> None:
        description_only(s)
        add_optional_parameter(s)
        remove_operation(s)

    result = CliRunner().invoke(cli.main, ["diff", str(BASE), str(_changed(tmp_path, several))])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines[:3]] == ["breaking", "additive", "other"]
    assert lines[-2] == "3 changes: 1 breaking, 1 additive, 1 other"
    assert lines[-1] == "major"


def test_fail_on_breaking_sets_the_exit_code(tmp_path: Path) -> None:
    runner = CliRunner()
    breaking = _changed(tmp_path, remove_operation)
    additive = _changed(tmp_path, add_optional_parameter)
    assert runner.invoke(cli.main, ["diff", str(BASE), str(breaking)]).exit_code == 0
    assert runner.invoke(cli.main, ["diff", "--fail-on-breaking", str(BASE), str(breaking)]).exit_code == 1
    gate = runner.invoke(cli.main, ["diff", "--fail-on-breaking", str(BASE), str(additive)])
    assert gate.exit_code == 0 and gate.output.splitlines()[-1] == "minor"


def test_package_name_applies_to_both_sides(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli.main, ["diff", "--package-name", "shopkeeper", str(BASE), str(BASE)])
    assert result.exit_code == 0 and result.output.splitlines()[-1] == "none"


def test_changes_read_back_from_a_record() -> None:
    change = Change("breaking", "client.x()", "removed method")
    assert Change.from_dict(change.as_dict()) == change
