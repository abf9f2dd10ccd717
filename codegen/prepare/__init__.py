"""Prepare the document for model generation: Python class names we choose, inline schemas named.

Component schemas are renamed to the class names the SDK will use (collisions are errors), and
inline request/response schemas are lifted into components, so the model generator emits exactly
the classes the resources refer to.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from ..diagnostics import Diagnostic, join_pointer
from ..naming import numbered, pascal, unique_name
from ..reserved import CLASS_NAMES
from ..spec.load import LoadedSpec
from ..spec.walk import walk
from .enums import name_enum_members
from .loose import relax
from .slim import copy_without_examples, slim_in_place, slim_node
from .unions import hoist_array_items, hoist_union_members

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def iter_operations(doc: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], str, dict[str, Any]]]:
    """(path, path item, method, operation) in document order, skipping malformed entries."""
    for path, item in (doc.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                yield path, item, method, op


@dataclass
class Prepared:
    document: dict[str, Any]  # self-contained OpenAPI document handed to the model generator
    class_names: dict[str, str] = field(default_factory=dict)  # original component name -> class
    # class name -> JSON pointer of its schema in the document as written (hoisted ones included)
    origins: dict[str, str] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)


def prepare(spec: LoadedSpec, *, in_place: bool = False) -> Prepared:
    """`in_place`: the prepared document is made of the loaded one (spec.data is then not the
    document as written any more), without the warnings, whose lines would be looked up in it:
    for a process that needs only the prepared document and reports no warnings of it. Only
    where no node is in two places (spec.distinct_nodes), which the edits would change twice."""
    in_place = in_place and spec.distinct_nodes
    components = spec.data.get("components")
    written = (components.get("schemas") if isinstance(components, dict) else None) or {}
    class_names = class_names_for(list(written) if isinstance(written, dict) else [])

    def fold_and_point(node: dict[str, Any]) -> None:
        # Tested here: this runs on every node of the document, which rarely has either key.
        if "allOf" in node:
            _fold_annotation_only_parts(node)
        if "$ref" in node:
            _rewrite_ref(node, class_names)

    kept = _read_later(spec)
    if in_place:
        for key in spec.data.keys() - kept if kept is not None else ():
            del spec.data[key]
        doc = slim_in_place(spec.data, fold_and_point)
    else:
        read = {k: v for k, v in spec.data.items() if k in kept} if kept is not None else spec.data
        doc = copy_without_examples(read, fold_and_point)
    out = Prepared(document=doc, class_names=class_names)
    schemas: dict[str, Any] = doc.setdefault("components", {}).setdefault("schemas", {}) or {}
    doc["components"]["schemas"] = schemas

    for original, name in out.class_names.items():
        if name != _base_class_name(original) and not in_place:
            first = next(o for o, n in out.class_names.items() if n == _base_class_name(original))
            out.warnings.append(
                spec.diagnostic(
                    join_pointer("/components/schemas", original),
                    f"schema names {first!r} and {original!r} both become the class {_base_class_name(original)}; "
                    f"this one is {name}",
                    "warning",
                )
            )

    renamed = {out.class_names[k]: v for k, v in schemas.items()}
    schemas.clear()
    schemas.update(renamed)
    origins = out.origins
    origins.update((name, join_pointer("/components/schemas", original)) for original, name in out.class_names.items())
    _hoist_inline(doc, schemas, origins)
    _hoist_component_bodies(doc, schemas, origins)
    hoist_union_members(schemas, CLASS_NAMES, origins)
    hoist_array_items(schemas, CLASS_NAMES, origins)
    for node in walk(schemas, "schemas"):  # each node as it is met, before its children
        if node.keys().isdisjoint(_REWRITTEN):  # most nodes: three calls that would do nothing
            continue
        relax(node)
        name_enum_members(node)
        _strip_constraints(node)
    _loosen_overridden_objects(schemas)
    # Webhooks and callbacks are not request paths; the model generator needs only components.
    doc.pop("webhooks", None)
    return out


def _read_later(spec: LoadedSpec) -> frozenset[str] | None:
    """The document's top-level keys a later stage reads, None for all: not the webhooks (no
    request paths) nor extensions other than x-sdk (GitHub's x-webhooks are a tenth of its
    nodes), unless a $ref points into one."""
    if spec.refs is None:
        return None
    pointed = {unquote(ref[2:].split("/", 1)[0]).replace("~1", "/").replace("~0", "~") for ref in spec.refs}
    return frozenset(
        key
        for key in spec.data
        if key in pointed or key == "x-sdk" or not (key == "webhooks" or str(key).startswith("x-"))
    )


def _base_class_name(original: str) -> str:
    name = pascal(original)
    return name + "Model" if name in CLASS_NAMES else name


def class_names_for(originals: list[str]) -> dict[str, str]:
    """Class name of each component schema. Names that collide after normalisation (DataArray,
    dataArray) are told apart stably: the one spelled exactly like the class keeps it, then the
    others in sorted order get 2, 3, ... whatever order the document lists them in."""
    groups: dict[str, list[str]] = {}
    for original in originals:
        groups.setdefault(_base_class_name(original), []).append(original)
    taken = set(groups)
    names: dict[str, str] = {}
    for base, members in groups.items():
        ordered = sorted(members, key=lambda o: (o != base, o))
        names[ordered[0]] = base
        for original in ordered[1:]:
            names[original] = unique_name(base, taken, numbered)
            taken.add(names[original])
    return {original: names[original] for original in originals}


# Value constraints are the server's to enforce. In response models they would only turn a value
# the server decided to send into a parsing failure, and the model generator wraps constrained
# array items in extra classes.
_CONSTRAINTS = frozenset(
    {
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minProperties",
        "maxProperties",
    }
)


# The keys relax(), name_enum_members() and _strip_constraints() act on.
_REWRITTEN = _CONSTRAINTS | {"patternProperties", "enum", "additionalProperties"}


# What an allOf member may hold and still say nothing about the type.
_ANNOTATIONS = frozenset(
    {"description", "title", "example", "examples", "default", "deprecated", "readOnly", "writeOnly", "nullable"}
)


def _fold_annotation_only_parts(node: dict[str, Any]) -> None:
    """`allOf: [{$ref: X}, {description: ...}]` is how OpenAPI 3.0 documents a reference (its
    siblings are ignored there): the type is X, not a new class deriving from it. The annotations
    move to the schema itself, so every stage and both model generators see the one type."""
    parts = node.get("allOf")
    if not isinstance(parts, list) or len(parts) < 2:
        return
    notes: list[Any] = []
    typed: list[Any] = []
    for part in parts:
        says_nothing = isinstance(part, dict) and all(k in _ANNOTATIONS or str(k).startswith("x-") for k in part)
        (notes if says_nothing else typed).append(part)
    if len(typed) != 1 or not notes:
        return
    node["allOf"] = typed
    for note in notes:
        for key, value in slim_node(note).items():  # as the copy has the note itself
            node.setdefault(key, value)


def _strip_constraints(node: dict[str, Any]) -> None:
    for key in _CONSTRAINTS & node.keys():
        if not isinstance(node[key], dict):  # a property may be *named* "pattern"
            del node[key]


def _loosen_overridden_objects(schemas: dict[str, Any]) -> None:
    """A base's free-form object property that an allOf child narrows to a real schema becomes
    untyped in the base, so the child class overrides it with a compatible type."""
    for schema in schemas.values():
        parts = schema.get("allOf") if isinstance(schema, dict) else None
        if not isinstance(parts, list):
            continue
        bases = [schemas.get(p["$ref"].rsplit("/", 1)[1]) for p in parts if isinstance(p, dict) and "$ref" in p]
        own: dict[str, Any] = {}
        for part in parts:
            if isinstance(part, dict) and "$ref" not in part:
                own.update(part.get("properties") or {})
        own.update(schema.get("properties") or {})
        for base in bases:
            props = base.get("properties") if isinstance(base, dict) else None
            if not isinstance(props, dict):
                continue
            for name in own.keys() & props.keys():
                inherited = props[name]
                if (
                    isinstance(inherited, dict)
                    and inherited.get("type") == "object"
                    and not inherited.get("properties")
                ):
                    props[name] = {k: v for k, v in inherited.items() if k in ("description", "title")}


_SCHEMA_REF = "#/components/schemas/"


def _rewrite_ref(node: dict[str, Any], class_names: dict[str, str]) -> None:
    """Point a ref to a component schema (or into one) at its class name. The name in a ref is a
    JSON pointer token in a URI fragment: percent-encoded, with ~1 for / and ~0 for ~."""
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_SCHEMA_REF):
        token, sep, rest = ref[len(_SCHEMA_REF) :].partition("/")
        original = unquote(token).replace("~1", "/").replace("~0", "~")
        if original in class_names:
            node["$ref"] = _SCHEMA_REF + class_names[original] + sep + rest


def _needs_class(schema: Any) -> bool:
    """Inline schemas that only a class can type precisely."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return False
    if "properties" in schema or "allOf" in schema or "enum" in schema:
        return True
    return any(isinstance(s, dict) and _needs_class(s) for key in ("oneOf", "anyOf") for s in schema.get(key, []))


def _lift(
    schema: dict[str, Any], name: str, schemas: dict[str, Any], origins: dict[str, str], where: str
) -> dict[str, Any]:
    name = unique_name(name, schemas.keys() | CLASS_NAMES, numbered)
    schemas[name] = schema
    origins[name] = where
    return {"$ref": f"#/components/schemas/{name}"}


def _lift_schema(schema: Any, name: str, schemas: dict[str, Any], origins: dict[str, str], where: str) -> Any:
    if _needs_class(schema):
        return _lift(schema, name, schemas, origins, where)
    if isinstance(schema, dict) and schema.get("type") == "array" and _needs_class(schema.get("items")):
        return {**schema, "items": _lift(schema["items"], name + "Item", schemas, origins, where + "/items")}
    return schema


def operation_base_name(path: str, method: str, operation: dict[str, Any]) -> str:
    op_id = operation.get("operationId")
    return pascal(op_id) if isinstance(op_id, str) and op_id else pascal(f"{method} {path}")


def _hoist_component_bodies(doc: dict[str, Any], schemas: dict[str, Any], origins: dict[str, str]) -> None:
    """Inline schemas of reusable responses and request bodies (`#/components/responses/...`) get
    classes too, named after the component, like those written inside an operation."""
    components = doc.get("components") or {}
    for section, suffix in (("responses", "Response"), ("requestBodies", "Request")):
        for name, holder in (components.get(section) or {}).items():
            content = holder.get("content") if isinstance(holder, dict) else None
            for media_type, media in (content or {}).items() if isinstance(content, dict) else ():
                if isinstance(media, dict) and "schema" in media:
                    base = pascal(name)
                    where = join_pointer("/components", section, name, "content", media_type, "schema")
                    media["schema"] = _lift_schema(
                        media["schema"], base if base.endswith(suffix) else base + suffix, schemas, origins, where
                    )


def _hoist_inline(doc: dict[str, Any], schemas: dict[str, Any], origins: dict[str, str]) -> None:
    seen_ids: set[object] = set()
    for path, _item, method, op in iter_operations(doc):
        # A duplicate operationId names its inline schemas after method and path, as its method.
        duplicate = op.get("operationId") in seen_ids
        seen_ids.add(op.get("operationId"))
        base = pascal(f"{method} {path}") if duplicate else operation_base_name(path, method, op)
        body = op.get("requestBody")
        if isinstance(body, dict):
            for media_type, media in (body.get("content") or {}).items():
                if isinstance(media, dict) and "schema" in media:
                    where = join_pointer("/paths", path, method, "requestBody", "content", media_type, "schema")
                    media["schema"] = _lift_schema(media["schema"], base + "Request", schemas, origins, where)
        for status, response in (op.get("responses") or {}).items():
            if not (isinstance(response, dict) and str(status).startswith("2")):
                continue
            suffix = "Response" if str(status) in ("200", "201", "2XX") else f"Response{status}"
            for media_type, media in (response.get("content") or {}).items():
                if isinstance(media, dict) and "schema" in media:
                    where = join_pointer(
                        "/paths", path, method, "responses", str(status), "content", media_type, "schema"
                    )
                    media["schema"] = _lift_schema(media["schema"], base + suffix, schemas, origins, where)
