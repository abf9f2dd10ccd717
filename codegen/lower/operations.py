"""Each operation of the document as an ir.Operation: its method name, parameters and body."""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any, Literal

from ..diagnostics import join_pointer, processing
from ..ir.nodes import (
    Body,
    Operation,
    Param,
)
from ..ir.typeref import ANY_MAPPING, BYTES, STR, TypeRef, sequence_of, union
from ..naming import (
    parameter_name,
    repeated,
    safe_attribute,
    singular_of,
    snake,
    unique_name,
)
from ..prepare import iter_operations
from ..reserved import CALL_OPTIONS
from ..spec.extensions import OperationSdk, SdkInvalid, read_sdk
from ..types.inputs import body_fields
from .context import Context, sdk_diagnostic
from .returns import is_json, returns_of

_VERSION_SEGMENT = re.compile(r"^(v\d+|api)$")


@dataclass
class RawOp:
    resource: tuple[str, ...]
    operation: Operation


def collect_operations(ctx: Context) -> list[RawOp]:
    doc = ctx.prepared.document
    result: list[RawOp] = []
    seen_ids: dict[str, str] = {}
    for path, item, method, op in iter_operations(doc):
        pointer = join_pointer("/paths", path, method)
        processing(pointer)
        op_id = op.get("operationId")
        if isinstance(op_id, str) and op_id in seen_ids:
            ctx.warn(
                join_pointer(pointer, "operationId"),
                f"duplicate operationId {op_id!r} (also at {seen_ids[op_id]}); method names keep both apart",
            )
            op_id = None
        elif not isinstance(op_id, str) or not op_id:
            ctx.warn(pointer, "no operationId; the method name comes from the HTTP method and path")
            op_id = None
        else:
            seen_ids[op_id] = pointer
        try:
            op_sdk = read_sdk(OperationSdk, op.get("x-sdk"))
        except SdkInvalid as exc:
            ctx.diagnostics.extend(sdk_diagnostic(ctx.spec, join_pointer(pointer, "x-sdk"), e) for e in exc.errors)
            continue
        resource = tuple(op_sdk.resource.split(".")) if op_sdk.resource else (_default_resource(path, op),)
        method_name = op_sdk.method or _default_method(op_id, method, path, resource[-1])
        if op_sdk.rate_limit_group is None and ctx.sdk.rate_limit_holds == "operation":
            # Its own group, so that a 429 it gets holds it alone.
            op_sdk = replace(op_sdk, rate_limit_group=".".join((*resource, method_name)))
        result.append(
            RawOp(resource, _operation(ctx, path, method, item, op, op_sdk, op_id or "", method_name, pointer))
        )
    return result


def _default_resource(path: str, op: dict[str, Any]) -> str:
    tags = op.get("tags")
    if isinstance(tags, list) and tags and isinstance(tags[0], str):
        return safe_attribute(snake(tags[0]))
    for segment in path.strip("/").split("/"):
        if segment and not segment.startswith("{") and not _VERSION_SEGMENT.match(segment):
            return safe_attribute(snake(segment))
    return "default"


def _default_method(op_id: str | None, method: str, path: str, resource: str) -> str:
    if op_id:
        name = snake(op_id)
        words = name.split("_")
        singular = singular_of(resource.rstrip("_"))
        trimmed = [w for w in words if w not in (resource.rstrip("_"), singular)]
        name = "_".join(trimmed) if trimmed else name
        return safe_attribute(name)
    segments = [s.strip("{}") for s in path.strip("/").split("/") if s]
    return safe_attribute(snake(method + " " + " ".join(segments)))


def _param_list(
    ctx: Context, item: dict[str, Any], op: dict[str, Any], pointer: str
) -> list[tuple[str, dict[str, Any]]]:
    """(pointer, parameter) pairs; an operation's parameter replaces the path item's of the same name."""
    merged: OrderedDict[tuple[str, str], tuple[str, dict[str, Any]]] = OrderedDict()
    item_pointer = pointer.rsplit("/", 1)[0]
    sources = [(join_pointer(item_pointer, "parameters", i), raw) for i, raw in enumerate(item.get("parameters") or [])]
    sources += [(join_pointer(pointer, "parameters", i), raw) for i, raw in enumerate(op.get("parameters") or [])]
    for where, raw in sources:
        param = ctx.namer.resolve(raw)
        # Without a usable name or location it is skipped (validation warned about it).
        if isinstance(param, dict) and isinstance(param.get("name"), str) and param["name"]:
            if param.get("in") in ("path", "query", "header", "cookie"):
                merged[(param["in"], param["name"])] = (where, param)
    return list(merged.values())


def _operation(
    ctx: Context,
    path: str,
    method: str,
    item: dict[str, Any],
    op: dict[str, Any],
    op_sdk: OperationSdk,
    op_id: str,
    method_name: str,
    pointer: str,
) -> Operation:
    params: list[Param] = []
    used = {"self", "body", *CALL_OPTIONS}
    for param_pointer, raw in _param_list(ctx, item, op, pointer):
        location = raw["in"]
        if location == "header" and str(raw["name"]).lower() in ("authorization", "content-type", "accept"):
            continue
        wanted = parameter_name(snake(str(raw["name"])))
        name = unique_name(wanted, used, repeated(f"_{location}"))
        if name != wanted:
            ctx.warn(param_pointer, f"parameter {raw['name']!r} becomes {wanted}, which is taken; it is {name}")
        used.add(name)
        schema, style = _param_schema(raw)
        # Input types: an enum parameter also takes the plain value, an array any sequence.
        annotation = ctx.inputs.annotation(
            schema, join_pointer(param_pointer, "schema" if "schema" in raw else "content")
        )
        params.append(
            Param(
                name=name,
                wire_name=str(raw["name"]),
                location=location,
                annotation=annotation,
                required=bool(raw.get("required")) or location == "path",
                description=str(raw.get("description") or ""),
                style=style,
                explode=raw.get("explode"),
                deprecated=bool(raw.get("deprecated")),
            )
        )
    for name in re.findall(r"{([^}]+)}", path):
        if not any(p.wire_name == name and p.location == "path" for p in params):
            # A template may name a declared query parameter: /search?q={q}
            ident = unique_name(parameter_name(snake(name)), used, repeated("_path"))
            used.add(ident)
            ctx.warn(pointer, f"path parameter {name!r} is not declared; typed as str")
            params.append(Param(ident, name, "path", STR, True))
    # Required parameters first so the signature is valid Python.
    params.sort(key=lambda p: (p.location != "path", not p.required))
    return Operation(
        operation_id=op_id,
        method_name=method_name,
        http_method=method,
        path=path,
        path_expression=path,
        params=tuple(params),
        body=_body(ctx, op, pointer, {p.name for p in params}),
        returns=returns_of(ctx, op, op_sdk, method, params, pointer),
        summary=str(op.get("summary") or ""),
        description=str(op.get("description") or ""),
        deprecated=bool(op.get("deprecated")),
        rate_limit_group=op_sdk.rate_limit_group,
        pointer=pointer,
    )


def _param_schema(raw: dict[str, Any]) -> tuple[Any, str | None]:
    """(schema, declared style) of a parameter; one declared with `content` is sent as JSON text."""
    content = raw.get("content")
    if "schema" not in raw and isinstance(content, dict) and content:
        media_type, media = next(iter(content.items()))
        schema = media.get("schema", {}) if isinstance(media, dict) else {}
        return (schema, "json") if is_json(str(media_type)) else ({"type": "string"}, None)
    style = raw.get("style")
    return raw.get("schema") or {}, style if isinstance(style, str) else None


def _body(ctx: Context, op: dict[str, Any], pointer: str, taken: set[str]) -> Body | None:
    request = ctx.namer.resolve(op.get("requestBody"))
    if not isinstance(request, dict) or not request.get("content"):
        return None
    content: dict[str, Any] = request["content"]
    required = bool(request.get("required"))
    for media_type, media in content.items():
        if is_json(media_type):
            where = join_pointer(pointer, "requestBody", "content", media_type, "schema")
            schema = (media or {}).get("schema", {})
            annotation = ctx.namer.annotation(schema, where)
            fields = body_fields(ctx.inputs, schema, where, taken)
            return Body("json", _accept_dicts(annotation), required, media_type, fields)
    for media_type in content:
        base = media_type.split(";")[0].strip().lower()
        if base in ("multipart/form-data", "application/x-www-form-urlencoded"):
            where = join_pointer(pointer, "requestBody", "content", media_type, "schema")
            schema = (content[media_type] or {}).get("schema", {})
            annotation = ctx.namer.annotation(schema, where)
            # A model when the form has one (file fields stay bytes), a plain mapping always.
            mapping = union([annotation, ANY_MAPPING]) if _models_only(annotation) else ANY_MAPPING
            kind: Literal["multipart", "form"] = "multipart" if base.startswith("multipart") else "form"
            return Body(kind, mapping, required, media_type, body_fields(ctx.inputs, schema, where, taken))
        if base.startswith("text/"):
            return Body("text", STR, required, media_type)
    return Body("binary", BYTES, required, next(iter(content)))


def _accept_dicts(annotation: TypeRef) -> TypeRef:
    """Bodies typed by models also take a plain dict (or a list of them)."""
    if annotation.kind == "generic" and annotation.name == "list":
        inner = annotation.args[0]
        return sequence_of(union([inner, ANY_MAPPING]) if _models_only(inner) else inner)
    return union([annotation, ANY_MAPPING]) if _models_only(annotation) else annotation


def _models_only(ref: TypeRef) -> bool:
    return all(m.is_model for m in ref.without_none().members())
