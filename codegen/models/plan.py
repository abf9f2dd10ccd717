"""What models.py must hold, decided before either model emitter runs (docs/decisions.md, "One model seam").

The plan is data taken from the prepared document alone: the class name of every component that is a
class (prepare.py chose them; resources import them by these names), and, for classes built with
allOf from a base, which properties they redeclare with another type than the base gives them.
Both emitters implement `ModelEmitter`: a plan in, the module text and its warnings out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostic, join_pointer
from ..spec.load import resolve_pointer
from ..spec.walk import walk_with_pointers
from ..types.schema import is_class_schema, referenced_component

SCHEMAS_POINTER = "/components/schemas"
_SCHEMA_REF = "#/components/schemas/"
# Keys whose values are data, not schemas.
# Keys that document a property without changing the type either emitter gives it.
_DOCUMENTATION = frozenset({"description", "title", "example", "examples", "deprecated", "readOnly", "writeOnly"})


@dataclass(frozen=True)
class ModelPlan:
    document: Mapping[str, Any]  # the prepared document; the emitters read its component schemas
    package: str  # the import name of the package, whose _models module holds the shared base
    header: str  # the first line of the module, as a comment
    spec_file: str  # for diagnostics
    classes: Mapping[str, str]  # "#/components/schemas/X" -> class name, for every component that is a class
    narrowed: Mapping[str, tuple[str, ...]]  # pointer of a class -> wire names of properties it narrows
    # Set when models should be a package of modules loaded on first use (the builtin emitter on
    # a large spec): the classes other modules import, each with the modules importing it, kept
    # in modules of their own (or of the same importer's, models/builtin/packs.py).
    split_keep: Mapping[str, frozenset[str]] | None = None
    # Component names some schema refers to (None: not known, the emitter looks).
    referenced: frozenset[str] | None = None

    @property
    def schemas(self) -> Mapping[str, Any]:
        return (self.document.get("components") or {}).get("schemas") or {}

    def fingerprint(self) -> str:
        """Everything the plan holds, as text: equal for equal plans (model_cache.py keys on it)."""
        return json.dumps(
            {
                "openapi": self.document.get("openapi"),
                "schemas": self.schemas,
                "package": self.package,
                "header": self.header,
                "spec_file": self.spec_file,
                "classes": self.classes,
                "narrowed": self.narrowed,
                "split_keep": {k: sorted(v) for k, v in self.split_keep.items()}
                if self.split_keep is not None
                else None,
            },
            sort_keys=True,
            default=str,
        )


@dataclass(frozen=True)
class EmittedModels:
    code: str  # models.py before formatting
    warnings: tuple[Diagnostic, ...] = field(default=())  # what an emitter renamed or left out, and the fallback
    # A models/ package instead ({path under the package: text}), when the plan asked for one.
    files: Mapping[str, str] = field(default_factory=dict)


ModelEmitter = Callable[[ModelPlan], EmittedModels]


def plan_models(document: Mapping[str, Any], *, package: str, header: str, spec_file: str) -> ModelPlan:
    schemas: Mapping[str, Any] = (document.get("components") or {}).get("schemas") or {}
    classes = {_pointer(name): name for name, schema in schemas.items() if is_class_schema(schema)}
    composed: list[tuple[str, Any]] = []
    tags: dict[str, list[str]] = {}
    referenced: set[str] = set()
    for node, pointer in walk_with_pointers(schemas, "#" + SCHEMAS_POINTER, "schemas"):  # the one walk a plan takes
        if isinstance(node.get("allOf"), list):
            composed.append((pointer, node))
        _add_tags(node, tags)
        ref = node.get("$ref")
        if isinstance(ref, str) and (name := referenced_component(ref)) is not None:
            referenced.add(name)
    fields = _Fields(document, {ref: tuple(props) for ref, props in tags.items()})
    narrowed: dict[str, tuple[str, ...]] = {}
    for pointer, node in composed:
        if found := fields.narrowed(pointer, node):
            narrowed[pointer] = found
    return ModelPlan(document, package, header, spec_file, classes, narrowed, referenced=frozenset(referenced))


def no_schemas_module(plan: ModelPlan) -> EmittedModels:
    return EmittedModels(f'# {plan.header}\n"""No schemas in this API."""\n')


def _pointer(name: str) -> str:
    return "#" + join_pointer(SCHEMAS_POINTER, name)


# -- narrowed properties ---------------------------------------------------------------------
#
# A class made with allOf derives from each referenced object class and redeclares the properties
# its own parts list, plus those it makes required. pydantic validates each class by its own
# annotation, which is what users read; pyright's rule that mutable attributes are invariant flags
# each such field whose type differs from the base's, so the emitters mark exactly those.


@dataclass(frozen=True)
class _Declared:
    schema: Any  # the property's schema (for a base property the class only makes required: the base's)
    required: bool

    @property
    def optional(self) -> bool:
        """Whether the annotation admits None for being optional (a default other than None keeps it out)."""
        has_default = isinstance(self.schema, dict) and self.schema.get("default") is not None
        return not self.required and not has_default


class _Fields:
    """The fields each class writes itself, by the pointer of its schema, computed once per class;
    an allOf cycle ends where it closes."""

    def __init__(self, document: Mapping[str, Any], tags: dict[str, tuple[str, ...]]) -> None:
        self.document = document
        self.tags = tags  # pointer of a class -> the discriminator properties naming it a member
        self._done: dict[str, dict[str, _Declared]] = {}
        self._building: set[str] = set()

    def narrowed(self, pointer: str, schema: Any) -> tuple[str, ...]:
        """Properties the class at `pointer` types otherwise than its bases. A discriminator property
        counts too: the model generator types it as a Literal of the class's tag values."""
        inherited = self.inherited(self.bases(schema))
        if not inherited:
            return ()
        found = [
            wire
            for wire, own in self.declared(pointer, schema).items()
            if (base := inherited.get(wire)) is not None
            and (own.optional != base.optional or _type_of(_merged(base.schema, own.schema)) != _type_of(base.schema))
        ]
        tags = [t for t in self.tags.get(pointer, ()) if t in inherited]
        return (*found, *(tag for tag in tags if tag not in found))

    def declared(self, pointer: str, schema: Any) -> dict[str, _Declared]:
        """The class's own properties, then the base properties it makes required."""
        if pointer in self._done:
            return self._done[pointer]
        if pointer in self._building:
            return {}
        self._building.add(pointer)
        props: dict[str, Any] = {}
        required: set[str] = set()
        _own_parts(schema, props, required)
        inherited = self.inherited(self.bases(schema))
        # A property a base requires stays required where a class redeclares it.
        out = {
            wire: _Declared(prop, wire in required or (wire in inherited and inherited[wire].required))
            for wire, prop in props.items()
        }
        for wire in sorted(required - props.keys()):
            if wire in inherited and not inherited[wire].required:
                out[wire] = _Declared(inherited[wire].schema, True)
        self._building.discard(pointer)
        self._done[pointer] = out
        return out

    def inherited(self, bases: list[str]) -> dict[str, _Declared]:
        """Fields of every ancestor, the nearest declaration winning (breadth first, bases in order)."""
        out: dict[str, _Declared] = {}
        seen: set[str] = set()
        queue = list(bases)
        while queue:
            base = queue.pop(0)
            if base in seen:
                continue
            seen.add(base)
            schema = self.resolve(base)
            for wire, declared in self.declared(base, schema).items():
                out.setdefault(wire, declared)
            queue.extend(self.bases(schema))
        return out

    def bases(self, schema: Any) -> list[str]:
        """The refs of an allOf that lead to object classes: the class derives from them."""
        found: list[str] = []
        for part in schema.get("allOf") or [] if isinstance(schema, dict) else []:
            ref = part.get("$ref") if isinstance(part, dict) else None
            if isinstance(ref, str) and _is_object_class(self.resolve(ref)) and ref not in found:
                found.append(ref)
        return found

    def resolve(self, ref: str) -> Any:
        try:
            return resolve_pointer(self.document, ref[1:]) if ref.startswith("#") else None
        except KeyError:
            return None


def _add_tags(node: dict[str, Any], found: dict[str, list[str]]) -> None:
    """Pointer of a class -> the discriminator properties of the unions (or bases) naming it a
    member, from one node."""
    found_by = node.get("discriminator")
    prop = found_by.get("propertyName") if isinstance(found_by, dict) else None
    if not isinstance(prop, str) or not isinstance(found_by, dict):
        return
    mapping = found_by.get("mapping")
    targets = list(mapping.values()) if isinstance(mapping, dict) else []
    for key in ("oneOf", "anyOf"):
        targets += [m.get("$ref") for m in node.get(key) or [] if isinstance(m, dict)]
    for target in targets:
        if isinstance(target, str):
            ref = target if target.startswith("#") else _SCHEMA_REF + target
            if prop not in found.setdefault(ref, []):
                found[ref].append(prop)


def _own_parts(schema: Any, props: dict[str, Any], required: set[str], depth: int = 0) -> None:
    """Properties and required names of a schema and of the inline parts of its allOf."""
    if not isinstance(schema, dict) or depth > 60:
        return
    for part in schema.get("allOf") or []:
        if isinstance(part, dict) and "$ref" not in part:
            _own_parts(part, props, required, depth + 1)
    for wire, prop in (schema.get("properties") or {}).items():
        props[str(wire)] = prop
    required.update(r for r in schema.get("required") or [] if isinstance(r, str))


def _merged(base: Any, own: Any) -> Any:
    """A redeclared property's schema as the model generator reads it: what the child leaves out,
    the type above all, comes from the base's declaration."""
    if isinstance(base, dict) and isinstance(own, dict) and "$ref" not in own:
        return {**base, **own}
    return own


def _is_object_class(schema: Any) -> bool:
    return is_class_schema(schema) and "enum" not in schema


def _type_of(schema: Any) -> Any:
    """The schema without the keys that only document it."""
    if isinstance(schema, dict):
        return {k: _type_of(v) for k, v in schema.items() if k not in _DOCUMENTATION and not k.startswith("x-")}
    if isinstance(schema, list):
        return [_type_of(v) for v in schema]
    return schema
