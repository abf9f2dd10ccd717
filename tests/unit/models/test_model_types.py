"""The model side of the one schema -> type function: the builtin emitter's flavour and hooks."""

from __future__ import annotations

import sys
import types
from typing import Any

from codegen.ir.typeref import (
    ANY,
    DATE_ALIASED,
    NONE,
    OBJECT,
    STR,
    discriminated,
    enum_members,
    generic,
    list_of,
    model,
    or_none,
    union,
)
from codegen.models.builtin import render_module
from codegen.models.builtin.classes import ClassDef, ModelClass, RootClass
from codegen.models.builtin.emitter import Emitter
from codegen.models.builtin.types import MODELS
from codegen.types.schema import TypeNamer


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _fields(made: ClassDef) -> dict[str, str]:
    assert isinstance(made, ModelClass)
    return {f.wire: f.annotation.render() for f in made.fields}


def _emitter(schemas: dict[str, Any]) -> Emitter:
    return Emitter({"components": {"schemas": schemas}})


def test_the_same_schema_in_both_flavours() -> None:
    schema = {"type": "object", "properties": {"at": {"type": "string", "format": "date-time"}}}
    document: dict[str, Any] = {}
    loose = {"additionalProperties": True}
    stamp = {"type": ["string", "null"], "format": "date-time"}
    assert TypeNamer(document).annotation(loose).render() == "dict[str, object]"
    assert TypeNamer(document, flavour=MODELS).annotation(loose).render() == "dict[str, Any]"
    assert TypeNamer(document).annotation(stamp).render() == "datetime.datetime | None"
    assert TypeNamer(document, flavour=MODELS).annotation(stamp).render() == "AwareDatetime | None"
    assert TypeNamer(document, flavour=MODELS).annotation(schema).render() == "dict[str, Any]"


def test_imports_are_read_off_the_reference() -> None:
    ref = union([DATE_ALIASED, ANY])
    assert ref == ANY  # Any absorbs a union it joins, as object does on the resource side
    assert union([DATE_ALIASED, NONE]).imports() == {("datetime", "date as date_aliased")}
    tagged = or_none(discriminated("kind", [model("Cat"), model("Dog")]))
    assert tagged.render() == "Annotated[Cat | Dog, Field(discriminator='kind')] | None"
    assert tagged.imports() == {("typing", "Annotated"), ("pydantic", "Field")}
    assert tagged.names("model") == {"Cat", "Dog"}


def test_a_tag_typed_by_an_enum_names_the_enum() -> None:
    tag = enum_members("Kind", "CAT")
    assert tag.render() == "Literal[Kind.CAT]"
    assert tag.names("model") == {"Kind"}
    assert tag.imports() == {("typing", "Literal")}


def test_or_none_keeps_any_and_puts_none_last() -> None:
    assert or_none(ANY) == ANY
    assert or_none(OBJECT) == OBJECT
    assert or_none(union([model("A"), model("B")])).render() == "A | B | None"
    assert or_none(or_none(model("A"))).render() == "A | None"


def test_nullable_beside_an_enum_a_ref_or_a_union_counts_on_both_sides() -> None:
    schema = {"type": "string", "enum": ["a", "b"], "nullable": True}
    assert TypeNamer({}).annotation(schema).render() == "Literal['a', 'b'] | None"
    document = {"components": {"schemas": {"Pet": {"type": "object", "properties": {"name": {"type": "string"}}}}}}
    pet = {"allOf": [{"$ref": "#/components/schemas/Pet"}], "nullable": True}
    assert TypeNamer(document).annotation(pet).render() == "Pet | None"
    either = {"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": True}
    assert TypeNamer({}).annotation(either).render() == "str | int | None"
    made = _emitter({"Box": {"type": "object", "properties": {"size": schema}}})
    assert made.types.annotation(schema, hint="BoxSize").render() == "BoxSize | None"


def test_inline_enums_and_objects_are_classes_named_after_parent_and_property() -> None:
    schemas = {
        "Repo": {
            "type": "object",
            "properties": {
                "owner": {"type": "object", "properties": {"login": {"type": "string"}}},
                "state": {"type": "string", "enum": ["open", "closed"]},
                "labels": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "integer"}}}},
            },
        }
    }
    classes = _emitter(schemas).build()
    assert {"Repo", "RepoOwner", "RepoState", "RepoLabelsItem"} <= set(classes)
    fields = _fields(classes["Repo"])
    assert fields == {"owner": "RepoOwner", "state": "RepoState", "labels": "list[RepoLabelsItem]"}


def test_a_union_alias_is_typed_once_and_a_self_referring_one_becomes_a_class() -> None:
    schemas = {
        "Id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        "Tree": {"oneOf": [{"type": "string"}, {"type": "array", "items": _ref("Tree")}]},
        "Holder": {"type": "object", "properties": {"id": _ref("Id"), "tree": _ref("Tree")}},
    }
    emitter = _emitter(schemas)
    classes = emitter.build()
    assert emitter.types.aliases["Id"].render() == "str | int"
    assert "Id" not in classes
    tree = classes["Tree"]
    assert isinstance(tree, RootClass)
    assert tree.annotation.render() == "str | list[Tree]"
    assert _fields(classes["Holder"]) == {
        "id": "str | int",
        "tree": "Tree",
    }


def test_a_discriminated_union_types_its_tags_as_literals() -> None:
    pet = {"oneOf": [_ref("Cat"), _ref("Dog")], "discriminator": {"propertyName": "kind"}}
    schemas = {
        "Cat": {"type": "object", "properties": {"kind": {"type": "string"}}, "required": ["kind"]},
        "Dog": {"type": "object", "properties": {"kind": {"type": "string"}}, "required": ["kind"]},
        "Owner": {"type": "object", "properties": {"pet": pet}},
    }
    classes = _emitter(schemas).build()
    owner = _fields(classes["Owner"])
    assert owner == {"pet": "Annotated[Cat | Dog, Field(discriminator='kind')]"}
    assert _fields(classes["Cat"]) == {"kind": "Literal['Cat']"}


def test_a_models_module_imports_what_its_types_name_and_nothing_else() -> None:
    schemas = {
        "Event": {
            "type": "object",
            "properties": {"on": {"type": "string", "format": "date"}, "kind": {"type": "string", "enum": ["a"]}},
            "required": ["on"],
        }
    }
    head = [line for line in render_module(_emitter(schemas).build()).splitlines() if line.startswith("from ")]
    assert head == [
        "from __future__ import annotations",
        "from datetime import date as date_aliased",
        "from enum import StrEnum",
        "from typing import Any",
        "from ._models import BaseModel, open_enum_member",
    ]


def test_kept_text_leaves_the_qualified_spelling_alone() -> None:
    ref = generic("dict", STR, list_of(model("Tag")))
    assert ref.text == "dict[str, list[Tag]]"
    assert ref.render(qualified_builtins=True) == "builtins.dict[str, builtins.list[Tag]]"
    assert ref.render() == "dict[str, list[Tag]]"


def test_an_allof_of_one_union_comes_after_the_classes_it_names() -> None:
    """influxdata's Check: `allOf: [$ref: Checks]`, Checks a discriminated oneOf of classes the
    document defines further down. The root class must follow them, or the module cannot import."""
    schemas = {
        "Check": {"allOf": [_ref("Checks")]},
        "Checks": {
            "oneOf": [_ref("DeadmanCheck"), _ref("ThresholdCheck")],
            "discriminator": {"propertyName": "type"},
        },
        "DeadmanCheck": {"type": "object", "required": ["type"], "properties": {"type": {"enum": ["deadman"]}}},
        "ThresholdCheck": {"type": "object", "required": ["type"], "properties": {"type": {"enum": ["threshold"]}}},
    }
    source = render_module(_emitter(schemas).build())
    source = source.replace("from ._models import BaseModel, open_enum_member", "from pydantic import BaseModel")
    module = types.ModuleType("check_models")
    sys.modules[module.__name__] = module
    try:
        exec(compile(source, "models.py", "exec"), module.__dict__)
        check = module.Check.model_validate({"type": "deadman"})
        assert type(check.root) is module.DeadmanCheck
    finally:
        del sys.modules[module.__name__]


def test_a_tag_inherited_from_a_tagged_base_is_typed_as_the_base_finally_types_it() -> None:
    """OpenAI's WebSocket events: a union member derives from an event that is itself a tagged
    union member. Typed before its base's own tag, the child's tag named the base's inline enum
    (`Literal[BaseType.DONE]`) where the base says `Literal['base.done']`: an override mypy rejects."""
    schemas = {
        "ChildEvents": {"oneOf": [_ref("Child"), _ref("Other")], "discriminator": {"propertyName": "type"}},
        "Other": {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"type": "string", "enum": ["other"]}},
        },
        "Child": {"allOf": [_ref("Base"), {"type": "object", "properties": {"extra": {"type": "string"}}}]},
        "BaseEvents": {"oneOf": [_ref("Base"), _ref("Other")], "discriminator": {"propertyName": "type"}},
        "Base": {
            "type": "object",
            "required": ["type"],
            "properties": {"type": {"type": "string", "enum": ["base.done"]}},
        },
    }
    classes = _emitter(schemas).build()
    base, child = classes["Base"], classes["Child"]
    assert isinstance(base, ModelClass) and isinstance(child, ModelClass)
    tags = [f for f in child.fields if f.wire == "type"]
    assert _fields(base)["type"] == "Literal['base.done']"
    assert not tags or (tags[0].annotation.render() == "Literal['base.done']" and not tags[0].narrows)


def test_a_default_names_the_enum_member_through_unions_and_lists() -> None:
    schemas = {
        "Mode": {"type": "string", "enum": ["auto", "none"]},
        "Named": {"type": "object", "properties": {"name": {"type": "string"}}},
        "Request": {
            "type": "object",
            "properties": {
                "choice": {"anyOf": [_ref("Mode"), _ref("Named")], "default": "auto"},
                "modes": {"type": "array", "items": _ref("Mode"), "default": ["auto", "none"]},
                "names": {"type": "array", "items": {"type": "string"}, "default": ["a"]},
            },
        },
    }
    text = render_module(_emitter(schemas).build())
    assert "choice: Mode | Named = Field(default=Mode.AUTO)" in text
    assert "modes: list[Mode] = Field(default=[Mode.AUTO, Mode.NONE])" in text
    assert "names: list[str] = Field(default=['a'])" in text


def test_a_field_redeclared_with_another_type_carries_both_checkers_ignores() -> None:
    schemas = {
        "A": {"type": "string", "enum": ["x"]},
        "B": {"type": "string", "enum": ["x"]},
        "Base": {"type": "object", "properties": {"status": _ref("A")}},
        "Child": {"allOf": [_ref("Base"), {"type": "object", "properties": {"status": _ref("B")}}]},
    }
    line = next(x for x in render_module(_emitter(schemas).build()).splitlines() if x.startswith("    status: B"))
    # mypy reports only overrides that are not subtypes, hence its ignore may go unused.
    assert line.endswith(
        "  # type: ignore[assignment, unused-ignore]  # pyright: ignore[reportIncompatibleVariableOverride]"
    )
