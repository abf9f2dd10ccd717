"""allOf, oneOf and anyOf; discriminators with and without mapping parse to the right class."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Generated, Wire, json_response


@pytest.fixture
def comp(fixture_package: Any) -> Generated:
    gen: Generated = fixture_package("composition")
    return gen


@pytest.mark.parametrize(
    ("body", "cls"), [({"kind": "dog", "name": "Rex", "barks": True}, "Dog"), ({"kind": "cat", "name": "Tom"}, "Cat")]
)
def test_discriminator_with_mapping_picks_the_class(
    comp: Generated, wire: Wire, body: dict[str, Any], cls: str
) -> None:
    client = wire.client(comp, lambda r: json_response(body, 201))
    pet = wire.call(client.pets.create(body))
    assert type(pet).__name__ == cls and pet.name == body["name"]


def test_allof_merges_every_part(comp: Generated) -> None:
    cat = comp.models.Cat.model_validate({"kind": "cat", "name": "Tom", "created_at": "2026-01-01T00:00:00Z"})
    assert cat.lives == 9 and cat.created_at.year == 2026
    assert isinstance(cat, comp.models.Named) and isinstance(cat, comp.models.Timestamped)


def test_discriminator_without_mapping_uses_schema_names(comp: Generated, wire: Wire) -> None:
    owner_body = {
        "pet": {"kind": "dog", "name": "Rex", "barks": False},
        "shapes": [{"shape_type": "Circle", "radius": 1.5}, {"shape_type": "Square", "side": 2}],
        "id": 7,
    }
    client = wire.client(comp, lambda r: json_response(owner_body))
    owner = wire.call(client.owners.get("o1"))
    assert [type(s).__name__ for s in owner.shapes] == ["Circle", "Square"]
    assert type(owner.pet).__name__ == "Dog" and owner.id == 7


def test_anyof_primitives_in_a_path(comp: Generated, wire: Wire) -> None:
    client = wire.client(comp, lambda r: json_response({"shape_type": "Square", "side": 1}))
    shape = wire.call(client.shapes.get(42))
    assert wire.last.url.path == "/shapes/42" and type(shape).__name__ == "Square"
    wire.call(client.shapes.get("abc"))
    assert wire.last.url.path == "/shapes/abc"


def test_inline_union_members_are_named(comp: Generated, wire: Wire) -> None:
    client = wire.client(comp, lambda r: json_response([{"type": "click", "x": 3}, {"type": "key", "key": "a"}]))
    events = wire.call(client.events.list())
    assert [type(e).__name__ for e in events] == ["EventClick", "EventKey"]


def test_wrong_discriminator_value_is_rejected(comp: Generated) -> None:
    import pydantic

    with pytest.raises(pydantic.ValidationError):
        comp.models.Owner.model_validate({"pet": {"kind": "fish", "name": "Nemo"}})
