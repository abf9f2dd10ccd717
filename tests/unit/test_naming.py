"""One unique-name rule, with the candidate spelling per kind of name, and one reserved table."""

from __future__ import annotations

from codegen.naming import (
    numbered,
    numbered_after_underscore,
    parameter_name,
    repeated,
    safe_attribute,
    safe_identifier,
    unique_name,
)
from codegen.reserved import CALL_OPTIONS, CLASS_NAMES, CLIENT_ATTRIBUTES, PARAMETERS, RESOURCE_ATTRIBUTES


def test_unique_name_keeps_a_free_name_and_tries_candidates_in_order() -> None:
    assert unique_name("keys", set()) == "keys"
    assert unique_name("keys", {"keys", "keys_"}) == "keys__"
    assert unique_name("Region", {"Region", "Region2"}, numbered) == "Region3"
    assert unique_name("list", {"list", "list_2"}, numbered_after_underscore) == "list_3"
    assert unique_name("id", {"id", "id_query"}, repeated("_query")) == "id_query_query"


def test_reserved_names_are_escaped_by_kind() -> None:
    assert parameter_name("timeout") == "timeout_"  # a per-call option
    assert parameter_name("id") == "id"  # a builtin a method body never uses reads best as is
    assert safe_identifier("id") == "id_"  # a module-level name must not shadow it
    assert safe_attribute("list") == "list"  # obj.list is fine
    assert safe_attribute("class") == "class_"


def test_the_table_covers_what_generated_code_relies_on() -> None:
    assert set(CALL_OPTIONS) <= PARAMETERS
    assert RESOURCE_ATTRIBUTES <= CLIENT_ATTRIBUTES
    assert {"BaseModel", "Field", "SyncPage", "NOT_GIVEN"} <= CLASS_NAMES
