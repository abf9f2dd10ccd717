"""Typed type references: built structurally, printed once, never parsed back."""

from __future__ import annotations

from codegen.ir.typeref import (
    ANY_MAPPING,
    FILE_INPUT,
    INT,
    NONE,
    OBJECT,
    STR,
    generic,
    list_of,
    literal,
    model,
    named,
    sequence_of,
    union,
)


def test_a_union_is_flat_each_member_once_and_none_last() -> None:
    ref = union([union([NONE, model("Contact")]), model("Contact"), INT])
    assert ref.render() == "Contact | int | None"
    assert ref.nullable
    assert ref.without_none().render() == "Contact | int"


def test_object_absorbs_the_other_members_and_one_member_is_itself() -> None:
    assert union([INT, OBJECT, STR]) == OBJECT
    assert union([INT]) == INT
    assert union([]) == NONE


def test_builtins_are_qualified_only_when_asked() -> None:
    ref = generic("dict", STR, list_of(model("Tag")))
    assert ref.render() == "dict[str, list[Tag]]"
    assert ref.render(qualified_builtins=True) == "builtins.dict[str, builtins.list[Tag]]"
    # Only the builtin generics: a sequence from collections.abc stays as it is.
    assert sequence_of(INT).render(qualified_builtins=True) == "abc.Sequence[int]"


def test_literal_values_are_printed_as_python_literals() -> None:
    tricky = literal("it's", 'say "hi"', 3)
    assert tricky.render() == """Literal["it's", 'say "hi"', 3]"""
    assert eval(tricky.render().removeprefix("Literal"), {}) == ["it's", 'say "hi"', 3]


def test_names_are_read_off_by_origin_never_from_text() -> None:
    # A Literal value that looks like a class name is a value, not an import.
    ref = union([model("Status"), literal("Contact"), sequence_of(named("StatusParam", "input")), FILE_INPUT])
    assert ref.names("model") == {"Status"}
    assert ref.names("input") == {"StatusParam"}
    assert ref.names("runtime") == {"FileInput"}
    assert ANY_MAPPING.names("model") == set()


def test_is_model_holds_for_a_bare_model_only() -> None:
    assert model("Contact").is_model
    assert not union([model("Contact"), NONE]).is_model
    assert not list_of(model("Contact")).is_model
