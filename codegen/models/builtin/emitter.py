"""Schemas to classes, in one pass over the prepared components.

The rules follow the resource side (codegen/types/schema.py): a component is a class exactly when
`is_class_schema` says so; unions, arrays, maps and primitives are written out where they are used.
Field types come from the one schema -> type function, in the models' flavour (types.py), which
adds the inline enums and objects it meets as classes named after their parent and property.
"""

from __future__ import annotations

from typing import Any

from ...ir.typeref import TypeRef, enum_members, literal, union
from ...naming import numbered, pascal, unique_name
from ...prepare.enums import member_names
from ...reserved import CLASS_NAMES as RESERVED_CLASS_NAMES
from ...reserved import MODEL_IMPORTS
from ...types.schema import SCHEMA_REF, component_name, is_class_schema
from .classes import ClassDef, EnumClass, FieldDef, ModelClass, RootClass
from .rules import _doc, _field_name, _is_member_name, _mark_narrowed, _referenced_components, _without_ancestors
from .types import ModelTypes

_MAX_DEPTH = 60


class Emitter:
    def __init__(self, document: dict[str, Any], referenced: frozenset[str] | None = None) -> None:
        self.document = document
        self._referenced = referenced  # component names some schema refers to, when the plan knows them
        self.schemas: dict[str, Any] = (document.get("components") or {}).get("schemas") or {}
        self.taken: set[str] = set(self.schemas) | RESERVED_CLASS_NAMES | MODEL_IMPORTS
        self.classes: dict[str, ClassDef] = {}
        self._building: set[str] = set()
        self.types = ModelTypes(document, emitter=self)

    # -- components ----------------------------------------------------------------------

    def build(self) -> dict[str, ClassDef]:
        referenced = self._referenced if self._referenced is not None else _referenced_components(self.schemas)
        for name, schema in self.schemas.items():
            if is_class_schema(schema):
                self.component(name)
            elif name not in referenced:
                # No other schema names it, so nothing inlines it: a root class keeps it importable
                # (a webhook event union, a list a user may want to parse).
                annotation = self.types.reference(SCHEMA_REF + name, "", 0)
                if name not in self.classes:  # a self-referring one has its class already
                    self.classes[name] = RootClass(name, annotation, _doc(schema), annotation.names("model"))
        self._apply_tags()
        return self.classes

    # -- discriminator tags -------------------------------------------------------------

    def _apply_tags(self) -> None:
        # Bases first: a child's tag is typed after what its base finally declares.
        for name, props in sorted(self.types.tags.items(), key=lambda item: self._depth(item[0])):
            made = self.classes.get(name)
            if not isinstance(made, ModelClass):
                continue
            inherited = self._inherited_fields(made.bases)
            for prop, values in props.items():
                own = next((f for f in made.fields if f.wire == prop), None)
                overridden = inherited.get(prop)
                # A base types the tag by an enum: a Literal of its members is still that enum to
                # type checkers, where a Literal of strings would be an incompatible override.
                annotation = self._enum_members(overridden.annotation if overridden else None, values)
                if annotation is None:
                    annotation = literal(*values)
                made.deps.update(annotation.names("model"))
                if own is None:
                    base_field = inherited.get(prop)
                    if base_field is None:
                        continue
                    own = FieldDef(prop, base_field.python, annotation, True, doc=base_field.doc)
                    made.fields.append(own)
                own.annotation, own.required, own.has_default, own.default = annotation, True, False, None
                _mark_narrowed([own], inherited)

    def _depth(self, name: str, seen: frozenset[str] = frozenset()) -> int:
        """How many classes deep the class's bases go (0 for none)."""
        made = self.classes.get(name)
        if not isinstance(made, ModelClass) or name in seen:
            return 0
        return 1 + max((self._depth(b, seen | {name}) for b in made.bases), default=-1)

    def _enum_members(self, annotation: TypeRef | None, values: list[str]) -> TypeRef | None:
        """`Literal[Enum.MEMBER, ...]` when `annotation` is an enum class listing every value."""
        bare = annotation.without_none() if annotation is not None else None
        enum = self.classes.get(bare.name) if bare is not None and bare.is_model else None
        if not isinstance(enum, EnumClass):
            return None
        by_value = {value: member for member, value in enum.members}
        if not all(v in by_value for v in values):
            return None
        return enum_members(enum.name, *(by_value[v] for v in values))

    def component(self, name: str) -> ClassDef | None:
        """The class of a class-kind component, made on first use (a base must exist before its
        children); None while it is being made, which only an inheritance cycle reaches."""
        if name in self.classes:
            return self.classes[name]
        if name in self._building:
            return None
        self._building.add(name)
        schema = self.schemas[name]
        if "enum" in schema:
            made: ClassDef = self.enum_class(name, schema)
        else:
            made = self.model_class(name, schema)
        self._building.discard(name)
        self.classes[name] = made
        return made

    # -- classes ---------------------------------------------------------------------------

    def enum_class(self, name: str, schema: dict[str, Any]) -> EnumClass:
        values = [v for v in schema.get("enum") or [] if v is not None]
        if values and all(isinstance(v, str) for v in values):
            base = "StrEnum"
        elif values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            base = "IntEnum"
        else:
            base = "Enum"
        values = list(dict.fromkeys(values))
        given = schema.get("x-enum-varnames")
        members = (
            given
            if isinstance(given, list)
            and len(given) == len(values)
            and len(set(given)) == len(given)
            and all(_is_member_name(n) for n in given)
            else member_names(values)
        )
        return EnumClass(name, base, list(zip(members, values, strict=True)), _doc(schema))

    def model_class(self, name: str, schema: dict[str, Any]) -> ClassDef:
        bases: list[str] = []
        props: dict[str, Any] = {}
        required: set[str] = set()
        other: list[TypeRef] = []  # types of allOf parts that are not objects
        docs: list[str] = []
        self._collect(schema, bases, props, required, other, docs, depth=0)
        bases = _without_ancestors(bases, self.classes)
        if not bases and not props and other:
            annotation = union(other)
            # Its deps order it after the classes it names (an allOf of one union component).
            return RootClass(name, annotation, _doc(schema), annotation.names("model"))
        inherited = self._inherited_fields(bases)
        taken = {f.python for f in inherited.values()}
        deps: set[str] = set()
        fields: list[FieldDef] = []
        for wire, prop in props.items():
            annotation = self.types.annotation(prop, hint=name + pascal(wire))
            deps.update(annotation.names("model"))
            python = inherited[wire].python if wire in inherited else _field_name(wire, taken)
            taken.add(python)
            fields.append(self._field(wire, python, annotation, prop, wire in required))
        for wire, base_field in inherited.items():
            if wire in required and wire not in props and not base_field.required:
                fields.append(FieldDef(wire, base_field.python, base_field.annotation, True, doc=base_field.doc))
                deps.update(base_field.annotation.names("model"))  # its module must import them too
        _mark_narrowed(fields, inherited)
        deps.update(bases)
        return ModelClass(name, bases, fields, docs[0] if docs else None, deps)

    def _collect(
        self,
        schema: dict[str, Any],
        bases: list[str],
        props: dict[str, Any],
        required: set[str],
        other: list[TypeRef],
        docs: list[str],
        depth: int,
    ) -> None:
        """Flatten allOf: referenced object classes become bases, inline parts give fields."""
        if isinstance(schema.get("description"), str) and schema["description"]:
            docs.append(schema["description"])
        for part in schema.get("allOf") or []:
            if not isinstance(part, dict):
                continue
            ref = part.get("$ref")
            if isinstance(ref, str):
                target = component_name(ref)
                if target in self.schemas and is_class_schema(self.schemas[target]):
                    if "enum" not in self.schemas[target] and self.component(target) is not None:
                        if isinstance(self.classes.get(target), ModelClass) and target not in bases:
                            bases.append(target)
                            continue
                other.append(self.types.annotation(part))
                continue
            if depth < _MAX_DEPTH:
                self._collect(part, bases, props, required, other, [], depth + 1)
        for wire, prop in (schema.get("properties") or {}).items():
            props[str(wire)] = prop
        required.update(str(r) for r in schema.get("required") or [] if isinstance(r, str))

    def _inherited_fields(self, bases: list[str]) -> dict[str, FieldDef]:
        out: dict[str, FieldDef] = {}
        for base in reversed(bases):  # the first base wins, as in the class's MRO
            made = self.classes.get(base)
            if isinstance(made, ModelClass):
                out.update(self._inherited_fields(made.bases))
                out.update({f.wire: f for f in made.fields})
        return out

    def _field(self, wire: str, python: str, annotation: TypeRef, prop: Any, required: bool) -> FieldDef:
        has_default = isinstance(prop, dict) and "default" in prop
        doc = None
        if isinstance(prop, dict):
            doc = _doc(prop)
            if doc is None and isinstance(prop.get("$ref"), str):
                target = self.types.resolve_ref(prop["$ref"])
                doc = None if is_class_schema(target) else _doc(target)
        return FieldDef(
            wire,
            python,
            annotation,
            required and not has_default,
            default=prop.get("default") if has_default else None,
            has_default=has_default,
            doc=doc,
        )

    def free_name(self, wanted: str) -> str:
        base = wanted if wanted and wanted.isidentifier() else "Model" + wanted
        name = unique_name(base, self.taken, numbered)
        self.taken.add(name)
        return name
