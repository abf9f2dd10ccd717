"""What an operation's method returns: a model, a page, a background job, text, bytes or nothing."""

from __future__ import annotations

from typing import Any

from ..diagnostics import join_pointer
from ..ir.nodes import (
    Param,
    Returns,
)
from ..ir.typeref import BYTES, NONE, STR, TypeRef, union
from ..spec.extensions import OperationSdk
from .context import Context


def _success(ctx: Context, op: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    responses = op.get("responses") or {}
    for status in ("200", "201", "202", "203", "204", "206", "2XX", "default"):
        for key in (status, int(status) if status.isdigit() else status):
            if key in responses:
                return status, ctx.namer.resolve(responses[key]) or {}
    return None


def _redirects_with_location(ctx: Context, op: dict[str, Any]) -> bool:
    for status, response in (op.get("responses") or {}).items():
        headers = (ctx.namer.resolve(response) or {}).get("headers") or {}
        if str(status).startswith("3") and any(name.lower() == "location" for name in headers):
            return True
    return False


def returns_of(
    ctx: Context,
    op: dict[str, Any],
    op_sdk: OperationSdk,
    method: str,
    params: list[Param],
    pointer: str,
) -> Returns:
    found = _success(ctx, op)
    if found is None:
        if _redirects_with_location(ctx, op):
            # A redirect the client does not follow (an OAuth consent page, say): the caller
            # needs where it points, so the method returns the Location URL.
            return Returns("location", STR, None)
        return Returns("none", NONE, None)
    status, response = found
    content: dict[str, Any] = response.get("content") or {}
    if not content:
        return Returns("none", NONE, None)
    for media_type, media in content.items():
        if is_json(media_type):
            schema = (media or {}).get("schema", {})
            annotation = ctx.namer.annotation(
                schema, join_pointer(pointer, "responses", status, "content", media_type, "schema")
            )
            if status == "202" and ctx.sdk.jobs is not None:
                return Returns("job", annotation, annotation)
            paged = _paging(ctx, op_sdk, schema, params)
            if paged is not None:
                items_field, item_annotation = paged
                return Returns("page", annotation, annotation, item_annotation, items_field)
            # Other success statuses with another body (201 vs 200) or none (204) widen the type.
            annotation = union([annotation, *_other_successes(ctx, op, status, pointer)])
            return Returns("model", annotation, annotation)
    media_type = next(iter(content))
    if media_type.startswith("text/"):
        return Returns("text", STR, STR, media_type=media_type)
    return Returns("bytes", BYTES, BYTES, media_type=media_type)


def _other_successes(ctx: Context, op: dict[str, Any], chosen: str, pointer: str) -> list[TypeRef]:
    """Types of the other 2xx responses: their JSON body's type, or None for no body."""
    out: list[TypeRef] = []
    for key, raw in (op.get("responses") or {}).items():
        status = str(key)
        if status == chosen or not (status.startswith("2") and len(status) == 3):
            continue
        response = ctx.namer.resolve(raw) or {}
        content = response.get("content") if isinstance(response, dict) else None
        if not content:
            out.append(NONE)
            continue
        for media_type, media in content.items():
            if is_json(media_type):
                where = join_pointer(pointer, "responses", status, "content", media_type, "schema")
                out.append(ctx.namer.annotation((media or {}).get("schema", {}), where))
                break
    return out


def _paging(ctx: Context, op_sdk: OperationSdk, schema: Any, params: list[Param]) -> tuple[str, TypeRef] | None:
    scheme = ctx.sdk.pagination
    if scheme is None or op_sdk.paginate is False:
        return None
    names = {p.wire_name for p in params if p.location == "query"}
    cursor = scheme.page_param if scheme.style == "page" else scheme.offset_param
    if cursor not in names:
        return None
    items_field = op_sdk.paginate.items_field if op_sdk.paginate else scheme.items_field
    target = ctx.namer.resolve(schema)
    props = target.get("properties") if isinstance(target, dict) else None
    items = ctx.namer.resolve((props or {}).get(items_field))
    if not isinstance(items, dict) or items.get("type") not in ("array", ["array"], ["array", "null"]):
        return None
    return items_field, ctx.namer.annotation(items.get("items", {}))


def is_json(media_type: str) -> bool:
    base = media_type.split(";")[0].strip().lower()
    return base == "application/json" or base.endswith("+json") or base == "*/*"
