"""Schemas to classes and annotations, in one pass over the prepared components.

The rules follow the resource side (codegen/types/schema.py): a component is a class exactly when
`is_class_schema` says so; unions, arrays, maps and primitives are written out where they are used.
Inline objects and enums become classes named after their parent and property (`RepoOwner`).
"""

from __future__ import annotations

from typing import Any

from ...naming import numbered, pascal, unique_name
from ...prepare.enums import member_names
from ...reserved import CLASS_NAMES as RESERVED_CLASS_NAMES
from ...reserved import MODEL_IMPORTS
from ...spec.load import resolve_pointer
from ...types.schema import is_class_schema
from .classes import ClassDef, EnumClass, FieldDef, ModelClass, RootClass
from .rules import (
    _component_name,
    _declared,
    _doc,
    _field_name,
    _is_member_name,
    _is_model_schema,
    _listed_values,
    _literal_value,
    _mapped_class,
    _mark_narrowed,
    _member_hint,
    _nullable,
    _referenced_components,
    _union,
    _without_ancestors,
)
from .text import literal

_SCHEMA_REF = "#/components/schemas/"
_PRIMITIVES = {"integer": "int", "number": "float", "boolean": "bool", "null": "None"}
# String formats with a richer Python type; every other format stays str (see models.py).
# date and time are imported under other names so that fields may be called date and time.
_STRING_FORMATS = {"date-time": "AwareDatetime", "date": "date_aliased", "time": "time_aliased", "binary": "bytes"}
_STRING_FORMATS["password"] = "SecretStr"

_MAX_DEPTH = 60


class Emitter:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.schemas: dict[str, Any] = (document.get("components") or {}).get("schemas") or {}
        self.taken: set[str] = set(self.schemas) | RESERVED_CLASS_NAMES | MODEL_IMPORTS
        self.classes: dict[str, ClassDef] = {}
        self._building: set[str] = set()
        # non-class component -> its inlined annotation and the classes that names
        self._aliases: dict[str, tuple[str, set[str]]] = {}
        self._aliasing: set[str] = set()
        self._self_referring: set[str] = set()
        self._tags: dict[str, dict[str, list[str]]] = {}  # class -> discriminator property -> values

    # -- components ----------------------------------------------------------------------

    def build(self) -> dict[str, ClassDef]:
        referenced = _referenced_components(self.schemas)
        for name, schema in self.schemas.items():
            if is_class_schema(schema):
                self.component(name)
            elif name not in referenced:
                # No other schema names it, so nothing inlines it: a root class keeps it importable
                # (a webhook event union, a list a user may want to parse).
                deps: set[str] = set()
                annotation = self.ref(_SCHEMA_REF + name, deps, 0)
                if name not in self.classes:  # a self-referring one has its class already
                    self.classes[name] = RootClass(name, annotation, _doc(schema), deps)
        self._apply_tags()
        return self.classes

    # -- discriminators --------------------------------------------------------------------

    def _discriminated(self, schema: dict[str, Any], members: list[Any]) -> str | None:
        """`Annotated[A | B, Field(discriminator=...)]` when every member is an object class that
        declares the tag property; the tag fields become Literals of their values (pydantic needs
        that). Otherwise None, and the union is left to pydantic's smart matching."""
        found = schema.get("discriminator")
        prop = found.get("propertyName") if isinstance(found, dict) else None
        if not isinstance(prop, str) or not isinstance(found, dict):
            return None
        names: list[str] = []
        for member in members:
            ref = member.get("$ref") if isinstance(member, dict) else None
            name = _component_name(ref) if isinstance(ref, str) else None
            if (
                name is None
                or not _is_model_schema(self.schemas.get(name))
                or _declared(self.schemas, name, prop) is None
            ):
                return None
            if name not in names:
                names.append(name)
        if len(names) < 2:
            return None
        values: dict[str, list[str]] = {name: [] for name in names}
        mapping = found.get("mapping")
        for value, target in (mapping if isinstance(mapping, dict) else {}).items():
            name = _mapped_class(self.schemas, target)
            if name in values and isinstance(value, str):
                values[name].append(value)
        for name in names:
            values[name] = values[name] or _listed_values(_declared(self.schemas, name, prop)) or [name]
        every = [v for vs in values.values() for v in vs]
        if len(every) != len(set(every)):
            return None
        for name, tags in values.items():
            known = self._tags.setdefault(name, {}).setdefault(prop, [])
            known.extend(t for t in tags if t not in known)
        return f"Annotated[{' | '.join(names)}, Field(discriminator={literal(_field_name(prop, set()))})]"

    def _apply_tags(self) -> None:
        for name, props in self._tags.items():
            made = self.classes.get(name)
            if not isinstance(made, ModelClass):
                continue
            inherited = self._inherited_fields(made.bases)
            for prop, values in props.items():
                own = next((f for f in made.fields if f.wire == prop), None)
                overridden = inherited.get(prop)
                members = self._enum_members(overridden.annotation if overridden else "", values)
                if members is not None:
                    # A base types the tag by an enum: a Literal of its members is still that enum
                    # to type checkers, where a Literal of strings would be an incompatible override.
                    annotation = f"Literal[{', '.join(members)}]"
                    made.deps.add(members[0].split(".")[0])
                else:
                    annotation = f"Literal[{', '.join(literal(v) for v in values)}]"
                if own is None:
                    base_field = inherited.get(prop)
                    if base_field is None:
                        continue
                    own = FieldDef(prop, base_field.python, annotation, True, doc=base_field.doc)
                    made.fields.append(own)
                own.annotation, own.required, own.has_default, own.default = annotation, True, False, None
                _mark_narrowed([own], inherited)

    def _enum_members(self, annotation: str, values: list[str]) -> list[str] | None:
        """`Enum.MEMBER` for each value when `annotation` is an enum class listing them all."""
        enum = self.classes.get(annotation.removesuffix(" | None"))
        if not isinstance(enum, EnumClass):
            return None
        by_value = {value: member for member, value in enum.members}
        if not all(v in by_value for v in values):
            return None
        return [f"{enum.name}.{by_value[v]}" for v in values]

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
        other: list[str] = []  # annotations of allOf parts that are not objects
        docs: list[str] = []
        self._collect(schema, bases, props, required, other, docs, depth=0)
        bases = _without_ancestors(bases, self.classes)
        if not bases and not props and other:
            return RootClass(name, _union(other), _doc(schema))
        inherited = self._inherited_fields(bases)
        taken = {f.python for f in inherited.values()}
        deps: set[str] = set()
        fields: list[FieldDef] = []
        for wire, prop in props.items():
            annotation = self.annotation(prop, name, pascal(wire), deps)
            python = inherited[wire].python if wire in inherited else _field_name(wire, taken)
            taken.add(python)
            fields.append(self._field(wire, python, annotation, prop, wire in required))
        for wire, base_field in inherited.items():
            if wire in required and wire not in props and not base_field.required:
                fields.append(FieldDef(wire, base_field.python, base_field.annotation, True, doc=base_field.doc))
        _mark_narrowed(fields, inherited)
        deps.update(bases)
        return ModelClass(name, bases, fields, docs[0] if docs else None, deps)

    def _collect(
        self,
        schema: dict[str, Any],
        bases: list[str],
        props: dict[str, Any],
        required: set[str],
        other: list[str],
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
                target = _component_name(ref)
                if target in self.schemas and is_class_schema(self.schemas[target]):
                    if "enum" not in self.schemas[target] and self.component(target) is not None:
                        if isinstance(self.classes.get(target), ModelClass) and target not in bases:
                            bases.append(target)
                            continue
                other.append(self.annotation(part, "", "", set()))
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

    def _field(self, wire: str, python: str, annotation: str, prop: Any, required: bool) -> FieldDef:
        has_default = isinstance(prop, dict) and "default" in prop
        doc = None
        if isinstance(prop, dict):
            doc = _doc(prop)
            if doc is None and isinstance(prop.get("$ref"), str):
                target = self.resolve(prop)
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

    # -- annotations -----------------------------------------------------------------------

    def annotation(self, schema: Any, parent: str, hint: str, deps: set[str], depth: int = 0) -> str:
        """The type of a schema used inside class `parent` (under property `hint`)."""
        if not isinstance(schema, dict) or depth > _MAX_DEPTH:
            return "Any"
        nullable = schema.get("nullable") is True
        if isinstance(schema.get("$ref"), str):
            return _nullable(self.ref(schema["$ref"], deps, depth), nullable)
        kinds = schema.get("type")
        if isinstance(kinds, list):
            nullable = nullable or "null" in kinds
            kinds = [k for k in kinds if k != "null"]
            kinds = kinds[0] if len(kinds) == 1 else (kinds or None)
        if "const" in schema:
            const = schema["const"]
            base = "None" if const is None else f"Literal[{const!r}]" if _literal_value(const) else "Any"
        elif "enum" in schema:
            base = self._inline_enum(schema, parent + hint, deps)
            nullable = nullable or None in (schema.get("enum") or [])
        elif "properties" in schema or "allOf" in schema:
            parts = schema.get("allOf")
            if "properties" not in schema and isinstance(parts, list) and len(parts) == 1:
                base = self.annotation(parts[0], parent, hint, deps, depth + 1)
            else:
                base = self._inline_class(schema, parent + hint, deps)
        elif isinstance(schema.get("oneOf"), list) or isinstance(schema.get("anyOf"), list):
            members: list[Any] = schema["oneOf"] if isinstance(schema.get("oneOf"), list) else schema["anyOf"]
            parts = [
                self.annotation(m, parent, _member_hint(hint, m, i, len(members)), deps, depth + 1)
                for i, m in enumerate(members)
            ]
            base = self._discriminated(schema, members) or (_union(parts) if parts else "Any")
        elif isinstance(kinds, list):
            base = _union([self._single({**schema, "type": k}, k, parent, hint, deps, depth) for k in kinds])
        else:
            base = self._single(schema, kinds, parent, hint, deps, depth)
        return _nullable(base, nullable)

    def _single(self, schema: dict[str, Any], kind: Any, parent: str, hint: str, deps: set[str], depth: int) -> str:
        if kind == "array" or (kind is None and "items" in schema):
            items = schema.get("items")
            return f"list[{self.annotation(items, parent, hint + 'Item', deps, depth + 1) if items else 'Any'}]"
        if kind == "string":
            return _STRING_FORMATS.get(str(schema.get("format")), "str")
        if kind in _PRIMITIVES:
            return _PRIMITIVES[kind]
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            return f"dict[str, {self.annotation(extra, parent, hint + 'Value', deps, depth + 1)}]"
        if kind == "object" or extra is not None:
            return "dict[str, Any]"
        return "Any"

    def ref(self, ref: str, deps: set[str], depth: int) -> str:
        name = _component_name(ref)
        if name is None:
            target = self._resolve_ref(ref)
            return self.annotation(target, "", "", deps, depth + 1) if target is not None else "Any"
        schema = self.schemas[name]
        if is_class_schema(schema):
            deps.add(name)
            return name
        if name in self._aliases:
            annotation, named = self._aliases[name]
            deps.update(named)
            return annotation
        if name in self._aliasing:  # refers to itself: only a class can name it
            self._self_referring.add(name)
            deps.add(name)
            return name
        self._aliasing.add(name)
        inner: set[str] = set()
        annotation = self.annotation(schema, name, "", inner, depth + 1)
        self._aliasing.discard(name)
        if name in self._self_referring:
            self.classes[name] = RootClass(name, annotation, _doc(schema), inner)
            annotation = name
            inner = {name}
        self._aliases[name] = (annotation, inner)
        deps.update(inner)
        return annotation

    def resolve(self, schema: dict[str, Any]) -> Any:
        ref = schema.get("$ref")
        return self._resolve_ref(ref) if isinstance(ref, str) else schema

    def _resolve_ref(self, ref: str) -> Any:
        if not ref.startswith("#"):
            return None
        try:
            return resolve_pointer(self.document, ref[1:])
        except KeyError:
            return None

    def _inline_enum(self, schema: dict[str, Any], wanted: str, deps: set[str]) -> str:
        values = [v for v in schema.get("enum") or [] if v is not None]
        if not values:
            return "None"
        name = self._free_name(wanted)
        self.classes[name] = self.enum_class(name, schema)
        deps.add(name)
        return name

    def _inline_class(self, schema: dict[str, Any], wanted: str, deps: set[str]) -> str:
        name = self._free_name(wanted)
        self.classes[name] = self.model_class(name, schema)
        deps.add(name)
        return name

    def _free_name(self, wanted: str) -> str:
        base = wanted if wanted and wanted.isidentifier() else "Model" + wanted
        name = unique_name(base, self.taken, numbered)
        self.taken.add(name)
        return name
