"""Enums: readable member names, collisions after case folding, unknown values tolerated."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Generated, Wire, json_response


@pytest.fixture
def enums(fixture_package: Any) -> Generated:
    gen: Generated = fixture_package("enums")
    return gen


def test_member_names(enums: Generated) -> None:
    m = enums.models
    assert m.Color.DARK_BLUE == "dark-blue"
    assert [p.name for p in m.Priority] == ["V1", "V2", "V3", "V10"]
    assert (m.Odd.V_1_ST, m.Odd.A_B, m.Odd.EMPTY, m.Odd.MINUS, m.Odd.UNICODE, m.Odd.CLASS, m.Odd.X_Y) == (
        "1st",
        "a b",
        "",
        "-",
        "ünïcode",
        "class",
        "x.y",
    )
    assert [f.value for f in m.Folded] == ["active", "Active", "ACTIVE", "in_progress", "in-progress"]
    assert [f.name for f in m.Folded] == ["ACTIVE", "ACTIVE_2", "ACTIVE_3", "IN_PROGRESS", "IN_PROGRESS_2"]


def test_unknown_values_parse(enums: Generated, wire: Wire) -> None:
    body = [{"color": "purple", "priority": 99, "folded": "AcTiVe", "mode": "turbo", "size": None}]
    client = wire.client(enums, lambda r: json_response(body))
    setting = wire.call(client.settings.list())[0]
    assert setting.color == "purple" and setting.priority == 99 and setting.mode == "turbo"
    assert setting.color not in list(enums.models.Color)


def test_defaults_and_nullable_enum(enums: Generated) -> None:
    setting = enums.models.Setting.model_validate({"color": "red", "size": None})
    assert setting.mode is enums.models.SettingMode.FAST and setting.size is None
    sized = enums.models.Setting.model_validate({"color": "red", "size": "small"})
    assert sized.size is enums.models.MaybeSize.SMALL  # a nullable enum is a plain enum, used as X | None
    assert setting.color is enums.models.Color.RED


def test_enum_query_parameters_send_values(enums: Generated, wire: Wire) -> None:
    client = wire.client(enums, lambda r: json_response([]))
    wire.call(client.settings.list(color=enums.models.Color.DARK_BLUE, priority=enums.models.Priority.V10))
    assert wire.last.url.params["color"] == "dark-blue" and wire.last.url.params["priority"] == "10"
    assert wire.last.url.params["api_key"] == "secret-key"  # apiKey in query


def test_enum_body_round_trips(enums: Generated, wire: Wire) -> None:
    import json

    client = wire.client(enums, lambda r: json_response(json.loads(r.content)))
    back = wire.call(client.settings.replace(color=enums.models.Color.GREEN, odd=enums.models.Odd.EMPTY))
    assert json.loads(wire.last.content) == {"color": "green", "odd": ""}
    assert back.odd is enums.models.Odd.EMPTY
    # The plain value read from a response can be passed back as is.
    wire.call(client.settings.replace(color="dark-blue", odd=back.odd))
    assert json.loads(wire.last.content) == {"color": "dark-blue", "odd": ""}


def test_yaml_1_1_booleans_stay_strings(enums: Generated) -> None:
    toggle = enums.models.Toggle
    assert [t.value for t in toggle] == ["on", "off", "yes", "no"] and toggle.ON == "on"
