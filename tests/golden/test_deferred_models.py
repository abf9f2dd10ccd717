"""References within a reference cycle across the modules of a split models package are deferred
(models/builtin/split.py, templates/runtime/_deferred.py): a class loads without the classes of its
cycle in other modules, which load when a value for them first arrives, and validate as the plain
annotation would. Bases and a discriminated union standing alone are never deferred."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_model_package import _write  # noqa: E402

from codegen.models.builtin.emitter import Emitter  # noqa: E402
from codegen.models.builtin.split import split_models  # noqa: E402

_REF = "#/components/schemas/"


def _id_or(name: str) -> dict[str, Any]:
    """An expandable field, as Stripe's: an id, or the object it names."""
    return {"anyOf": [{"type": "string"}, {"$ref": _REF + name}]}


SCHEMAS: dict[str, Any] = {
    "Customer": {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "string"},
            "default_source": {"anyOf": [{"type": "string"}, {"$ref": _REF + "Card"}, {"$ref": _REF + "BankAccount"}]},
            "discounts": {"type": "array", "items": {"$ref": _REF + "Discount"}},
            "address": {"$ref": _REF + "Address"},
        },
    },
    "Card": {
        "type": "object",
        "required": ["id", "brand"],
        "properties": {"id": {"type": "string"}, "brand": {"type": "string"}, "customer": _id_or("Customer")},
    },
    "BankAccount": {
        "type": "object",
        "required": ["id", "bank_name"],
        "properties": {"id": {"type": "string"}, "bank_name": {"type": "string"}, "customer": _id_or("Customer")},
    },
    "Discount": {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"type": "string"}, "customer": _id_or("Customer"), "percent": {"type": "number"}},
    },
    "Address": {"type": "object", "properties": {"city": {"type": "string"}}},
}


def _package(tmp_path: Path, schemas: dict[str, Any], name: str) -> dict[str, str]:
    classes = Emitter({"components": {"schemas": schemas}}).build()
    files = split_models(classes, "# header\n", {n: (f"resources.{n.lower()}",) for n in schemas})
    _write(tmp_path, name, files)
    return files


def _run(tmp_path: Path, code: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_the_classes_of_a_cycle_get_modules_of_their_own(tmp_path: Path) -> None:
    files = _package(tmp_path, SCHEMAS, "cycle_pkg")
    customer = files["models/_customer.py"]
    assert "from ._card import Card" in customer.split("if TYPE_CHECKING:", 1)[1], "checkers import the class"
    assert 'Card = deferred("Card")' in customer
    assert "default_source: Annotated[str | Card | BankAccount | None, DEFERRED] = None" in customer
    assert "from ._address import Address\n" in customer.split("if TYPE_CHECKING:", 1)[0], "outside the cycle"
    assert "address: Address | None = None" in customer


def test_a_class_loads_without_its_cycle_and_values_load_what_they_need(tmp_path: Path) -> None:
    _package(tmp_path, SCHEMAS, "loads_pkg")
    seen = _run(
        tmp_path,
        """
        import json, sys
        from loads_pkg.models import Customer
        def loaded():
            return sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("loads_pkg.models._"))
        out = {"import": loaded()}
        plain = Customer.model_validate({"id": "cus_1", "default_source": "card_1"})
        out["ids only"] = loaded()
        out["ids only value"] = plain.default_source
        full = Customer.model_validate({
            "id": "cus_1",
            "default_source": {"id": "ba_1", "bank_name": "B", "customer": {"id": "cus_1"}},
            "discounts": [{"id": "d1", "customer": "cus_1", "percent": 5}],
        })
        out["nested"] = loaded()
        out["classes"] = [type(full.default_source).__name__, type(full.default_source.customer).__name__,
                          type(full.discounts[0]).__name__]
        from loads_pkg.models import BankAccount, Card
        out["real classes"] = type(full.default_source) is BankAccount and Card.__module__.endswith("_card")
        out["dump"] = full.model_dump(mode="json", exclude_unset=True)
        out["json"] = json.loads(full.model_dump_json(exclude_unset=True))
        print(json.dumps(out))
        """,
    )
    assert seen["import"] == ["_address", "_customer"]
    assert seen["ids only"] == ["_address", "_customer"], "an id needs no other class"
    assert seen["ids only value"] == "card_1"
    assert seen["nested"] == ["_address", "_bank_account", "_card", "_customer", "_discount"]
    assert seen["classes"] == ["BankAccount", "Customer", "Discount"]
    assert seen["real classes"] is True
    wanted = {
        "id": "cus_1",
        "default_source": {"id": "ba_1", "bank_name": "B", "customer": {"id": "cus_1"}},
        "discounts": [{"id": "d1", "customer": "cus_1", "percent": 5.0}],
    }
    assert seen["dump"] == seen["json"] == wanted


def test_a_deferred_field_reports_errors_at_its_place_and_keeps_union_matching(tmp_path: Path) -> None:
    _package(tmp_path, SCHEMAS, "errors_pkg")
    seen = _run(
        tmp_path,
        """
        import json, pydantic
        from errors_pkg.models import Customer
        try:
            Customer.model_validate({"id": "c", "discounts": [{"id": 5}]})
        except pydantic.ValidationError as exc:
            errors = [(list(e["loc"]), e["type"]) for e in exc.errors()]
        # Both classes accept the object; pydantic's smart matching picks the one it fits best.
        card = Customer.model_validate({"id": "c", "default_source": {"id": "x", "brand": "visa"}})
        bank = Customer.model_validate({"id": "c", "default_source": {"id": "x", "bank_name": "b"}})
        schema = Customer.model_json_schema()  # recursive: a reference to its own definition
        print(json.dumps({"errors": errors, "picked": [type(card.default_source).__name__,
                          type(bank.default_source).__name__], "top": schema["$ref"], "defs": schema["$defs"]}))
        """,
    )
    assert seen["errors"] == [[["discounts", 0, "id"], "string_type"]]
    assert seen["picked"] == ["Card", "BankAccount"]
    assert seen["top"] == "#/$defs/Customer"
    assert sorted(seen["defs"]) == ["Address", "BankAccount", "Card", "Customer", "Discount"]
    refs = [part.get("$ref") for part in seen["defs"]["Customer"]["properties"]["default_source"]["anyOf"]]
    assert refs == [None, "#/$defs/Card", "#/$defs/BankAccount", None]
    back = [part.get("$ref") for part in seen["defs"]["Card"]["properties"]["customer"]["anyOf"]]
    assert back == [None, "#/$defs/Customer", None], "the way back to the class is complete too"


@pytest.mark.parametrize("required", [True, False], ids=["required", "optional"])
def test_bases_and_discriminated_unions_stay_imported(tmp_path: Path, required: bool) -> None:
    """A class statement needs its bases; a discriminated union alone is `Annotated[...]` already.
    A cycle through them is one module; the same union beside None can be deferred."""
    pet = {"oneOf": [{"$ref": _REF + "Cat"}, {"$ref": _REF + "Dog"}], "discriminator": {"propertyName": "kind"}}
    animal = {"type": "string"}
    schemas = {
        "Owner": {
            "type": "object",
            "required": ["pet"] if required else [],
            "properties": {"pet": pet, "name": {"type": "string"}},
        },
        "Cat": {
            "type": "object",
            "required": ["kind"],
            "properties": {"kind": animal, "owner": {"$ref": _REF + "Owner"}},
        },
        "Dog": {"type": "object", "required": ["kind"], "properties": {"kind": animal}},
        "Node": {"type": "object", "properties": {"special": {"$ref": _REF + "SpecialNode"}}},
        "SpecialNode": {
            "allOf": [{"$ref": _REF + "Node"}, {"type": "object", "properties": {"x": {"type": "integer"}}}]
        },
    }
    files = _package(tmp_path, schemas, "kept_pkg")
    text = "\n".join(files.values())
    assert "class SpecialNode(Node):" in text
    assert ('SpecialNode = deferred("SpecialNode")' in text) and ('Node = deferred("Node")' not in text)
    assert ('Cat = deferred("Cat")' in text) is not required
    seen = _run(
        tmp_path,
        """
        import json
        from kept_pkg.models import Owner, Node
        owner = Owner.model_validate({"pet": {"kind": "Cat", "owner": {"name": "o", "pet": {"kind": "Dog"}}}})
        node = Node.model_validate({"special": {"x": 1, "special": {"x": 2}}})
        print(json.dumps([type(owner.pet).__name__, type(owner.pet.owner.pet).__name__,
                          type(node.special).__name__, node.special.special.x]))
        """,
    )
    assert seen == ["Cat", "Dog", "SpecialNode", 2]


def test_a_union_of_models_in_a_deferred_field_picks_as_the_single_module_does(tmp_path: Path) -> None:
    """Where several models accept an object, pydantic takes the one setting the most fields,
    nested ones included, then the one needing no lax conversion: which must not change when the
    nested models are validated behind a deferred field."""

    def model(*required: str, **props: Any) -> dict[str, Any]:
        return {"type": "object", "required": list(required), "properties": props}

    ref = {name: {"$ref": _REF + name} for name in ("Holder", "Narrow", "Wide", "SubA", "SubB")}
    schemas = {
        "Holder": model(
            "id",
            id={"type": "string"},
            thing={"anyOf": [{"type": "string"}, ref["Narrow"], ref["Wide"]]},
            things={"type": "array", "items": {"anyOf": [ref["Narrow"], ref["Wide"]]}},
        ),
        "Narrow": model("id", id={"type": "string"}, n={"type": "integer"}, sub=ref["SubA"], holder=ref["Holder"]),
        "Wide": model("id", id={"type": "string"}, n={"type": "string"}, sub=ref["SubB"], holder=ref["Holder"]),
        # Outside the cycle: its union of cycle models is imported, but what they hold is deferred.
        "Outer": model(choice={"anyOf": [ref["Narrow"], ref["Wide"]]}),
        # In the cycle too: the nested models are themselves behind deferred fields.
        "SubA": model(p={"type": "integer"}, back=ref["Holder"]),
        "SubB": model(p={"type": "integer"}, q={"type": "integer"}, back=ref["Holder"]),
    }
    files = _package(tmp_path, schemas, "scored_pkg")
    assert "thing: Annotated[str | Narrow | Wide | None, DEFERRED]" in files["models/_holder.py"]
    assert "sub: Annotated[SubB | None, DEFERRED]" in files["models/_wide.py"]
    outer = files["models/_outer.py"]
    assert "from ._narrow import Narrow" in outer and "choice: Annotated[Narrow | Wide | None, DEFERRED]" in outer
    classes = Emitter({"components": {"schemas": schemas}}).build()
    from codegen.models.builtin import render_module

    _write(tmp_path, "single_pkg", {"models.py": "# header\n" + render_module(classes)})
    cases = [
        {"id": "n1", "sub": {"p": 1, "q": 2}},  # the nested fields decide: Wide
        {"id": "n2", "sub": {"p": 1}},  # equals: the first, Narrow
        {"id": "n3", "n": "5"},  # equals, but Narrow needs "5" converted: Wide
        {"id": "n4", "n": 5, "holder": {"id": "h", "thing": {"id": "x", "sub": {"p": 1, "q": 2}}}},
    ]
    code = """
        import json
        from {package}.models import Holder, Outer
        out = []
        for case in {cases!r}:
            holder = Holder.model_validate({{"id": "h", "thing": case, "things": [case, case]}})
            inner = holder.thing.holder.thing if holder.thing.holder else None
            outer = Outer.model_validate({{"choice": case}})
            out.append([type(holder.thing).__name__, [type(t).__name__ for t in holder.things],
                        type(inner).__name__, type(outer.choice).__name__,
                        holder.model_dump(mode="json", exclude_unset=True)])
        print(json.dumps(out))
        """
    split, single = (_run(tmp_path, code.format(package=p, cases=cases)) for p in ("scored_pkg", "single_pkg"))
    assert split == single
    assert [picked for picked, *_ in split] == ["Wide", "Narrow", "Wide", "Narrow"]
    assert [outer for *_, outer, _ in split] == ["Wide", "Narrow", "Wide", "Narrow"]


def test_a_union_that_also_takes_any_object_is_left_to_pydantic(tmp_path: Path) -> None:
    """Scoring stands in for pydantic's matching only where nothing but the models can take an
    object: `Any`, `object` or a mapping beside them would take one too."""
    _package(tmp_path, SCHEMAS, "guard_pkg")
    seen = _run(
        tmp_path,
        """
        import json
        from typing import Any
        import pydantic
        from guard_pkg._deferred import _object_models
        class A(pydantic.BaseModel):
            x: int = 0
        class B(pydantic.BaseModel):
            y: int = 0
        cases = {"str and None": (A, B, str, type(None)), "list": (A, B, list[int]), "Any": (A, B, Any),
                 "object": (A, B, object), "mapping": (A, B, dict[str, object]), "one model": (A, str)}
        print(json.dumps({k: [m.__name__ for m in _object_models(v)] for k, v in cases.items()}))
        """,
    )
    assert seen == {
        "str and None": ["A", "B"],
        "list": ["A", "B"],
        "Any": [],
        "object": [],
        "mapping": [],
        "one model": [],
    }
