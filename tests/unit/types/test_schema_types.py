"""The one schema -> type function, for responses and (widened) for what callers pass."""

from __future__ import annotations

from typing import Any

from codegen.types.inputs import InputTypes
from codegen.types.schema import TypeNamer

DOCUMENT: dict[str, Any] = {
    "components": {
        "schemas": {
            "Status": {"type": "string", "enum": ["active", "paused"]},
            "Contact": {"type": "object", "properties": {"email": {"type": "string"}}},
            "Ids": {"type": "array", "items": {"type": "integer"}},
        }
    }
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def test_response_types() -> None:
    namer = TypeNamer(DOCUMENT)
    assert namer.annotation(_ref("Contact")).render() == "Contact"
    assert namer.annotation(_ref("Ids")).render() == "list[int]"
    assert namer.annotation({"type": ["string", "null"], "format": "date-time"}).render() == "datetime.datetime | None"
    assert namer.annotation({"oneOf": [_ref("Contact"), {"type": "null"}]}).render() == "Contact | None"
    assert namer.annotation({"enum": ["a", None]}).render() == "Literal['a'] | None"
    assert namer.annotation({"additionalProperties": {"type": "integer"}}).render() == "dict[str, int]"


def test_input_types_take_what_a_response_gave_back() -> None:
    inputs = InputTypes(DOCUMENT, model_names=frozenset(DOCUMENT["components"]["schemas"]))
    status = inputs.annotation(_ref("Status"))
    assert status.render() == "Status | Literal['active', 'paused']"
    contact = inputs.annotation({"type": "array", "items": _ref("Contact")})
    assert contact.render() == "abc.Sequence[Contact | ContactParam]"
    assert contact.names("input") == {"ContactParam"}
    assert inputs.annotation({"type": "string", "format": "binary"}).render() == "FileInput"


def test_loose_fallbacks_are_recorded_with_their_pointer() -> None:
    namer = TypeNamer(DOCUMENT)
    ref = namer.annotation({"type": "object", "properties": {"a": {}}}, "/paths/~1x/get")
    assert ref.render() == "dict[str, object]"
    assert namer.loose == ["/paths/~1x/get"]
