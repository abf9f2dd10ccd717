"""How annotations compare: the order the surface diff relies on to call a change wider or narrower."""

from __future__ import annotations

import pytest

from codegen.surface.annotations import Enums, accepts_none, names_in, relation, without_none


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("int", "int", "same"),
        ("int | None", "None | int", "same"),
        ("int", "int | None", "wider"),
        ("int", "float", "wider"),
        ("bool", "int", "wider"),
        ("float", "int", "narrower"),
        ("str", "int", "changed"),
        ("Literal['a', 'b']", "Literal['a', 'b', 'c']", "wider"),
        ("Literal['a']", "str", "wider"),
        ("str", "Literal['a']", "narrower"),
        ("Literal[1]", "float", "wider"),
        ("list[int]", "list[int | str]", "wider"),
        ("list[int]", "abc.Sequence[int]", "wider"),
        ("builtins.list[Pet]", "list[Pet]", "same"),
        ("dict[str, object]", "abc.Mapping[str, object]", "wider"),
        ("Pet", "Animal", "changed"),
        ("Pet", "object", "wider"),
        ("AwareDatetime", "datetime.datetime", "same"),
        ("SyncPage[Pet]", "SyncPage[Pet | None]", "wider"),
        ("list[Pet]", "dict[str, Pet]", "changed"),
    ],
)
def test_relation(old: str, new: str, expected: str) -> None:
    assert relation(old, new) == expected


def test_a_str_enum_is_a_str() -> None:
    enums = Enums(str_enums=frozenset({"Status"}))
    assert relation("Status", "str", enums) == "wider"
    assert relation("Status", "str") == "changed"


def test_helpers() -> None:
    assert without_none("Pet | None") == "Pet"
    assert without_none("None") == "None"
    assert accepts_none("int | None") and not accepts_none("int") and accepts_none("object")
    assert names_in("list[Pet] | Literal['Owner']") == {"list", "Pet", "Literal"}
    assert relation("not valid [", "not valid [") == "same" and relation("x [", "y [") == "changed"
