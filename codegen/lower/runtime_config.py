"""The per-API facts the runtime reads (x-sdk): background jobs, error envelope, quota headers, webhooks."""

from __future__ import annotations

import re

from ..ir.nodes import (
    ErrorEnvelopeConfig,
    ErrorFieldConfig,
    JobConfig,
    QuotaUsageConfig,
    Returns,
    RuntimeConfig,
    WebhookConfig,
)
from ..prepare import iter_operations
from ..spec.extensions import OperationSdk
from ..types.schema import is_class_schema
from .context import Context
from .returns import returns_of


def jobs_config(ctx: Context) -> JobConfig | None:
    jobs = ctx.sdk.jobs
    if jobs is None:
        return None
    found: dict[str, tuple[str, Returns]] = {}
    for path, _item, method, op in iter_operations(ctx.prepared.document):
        if op.get("operationId") in (jobs.get_operation, jobs.cancel_operation):
            found[op["operationId"]] = (
                re.sub(r"{[^}]+}", "{id}", path),
                returns_of(ctx, op, OperationSdk(), method, [], ""),
            )
    if jobs.get_operation not in found:
        ctx.error("/x-sdk/jobs/get_operation", f"no operation with operationId {jobs.get_operation!r}")
        return None
    get_path, returns = found[jobs.get_operation]
    cancel = found.get(jobs.cancel_operation or "")
    return JobConfig(
        get_path=get_path,
        cancel_path=cancel[0] if cancel else None,
        id_field=jobs.id_field,
        status_field=jobs.status_field,
        succeeded=tuple(jobs.succeeded),
        failed=tuple(jobs.failed),
        model=returns.annotation,
        cancel_reason_field=jobs.cancel_reason_field,
    )


def runtime_config(ctx: Context) -> RuntimeConfig:
    """The per-API facts the runtime reads: error envelope, quota-usage headers, webhook scheme."""
    envelope, usage, signature = ctx.sdk.error_envelope, ctx.sdk.quota_usage_headers, ctx.sdk.webhook_signature
    webhook = None
    if signature is not None:
        webhook = WebhookConfig(
            header=signature.header,
            tolerance=float(signature.tolerance),
            timestamp_key=signature.timestamp_key,
            signature_key=signature.signature_key,
            digest=signature.digest,
            event_models=_event_models(ctx, signature.event_model),
        )
    return RuntimeConfig(
        error_envelope=ErrorEnvelopeConfig(
            problem_details=envelope.problem_details,
            fields=tuple(
                ErrorFieldConfig(name, tuple(f.paths), f.shown, f.label, f.description)
                for name, f in envelope.fields.items()
            ),
            retry_after_field=envelope.retry_after_field,
            item_pointer=tuple(envelope.items.pointer),
            item_field=tuple(envelope.items.field),
            item_detail=tuple(envelope.items.detail),
        ),
        quota_usage=QuotaUsageConfig(usage.daily_used, usage.monthly_used),
        webhook=webhook,
    )


def _event_models(ctx: Context, name: str | None) -> tuple[str, ...]:
    """Model classes of the webhook event schema: its own, or those of its oneOf/anyOf members."""
    if name is None:
        return ()
    pointer = "/x-sdk/webhook_signature/event_model"
    class_name = ctx.prepared.class_names.get(name)
    schemas = (ctx.prepared.document.get("components") or {}).get("schemas") or {}
    schema = schemas.get(class_name) if class_name else None
    if not isinstance(schema, dict):
        ctx.error(pointer, f"no component schema {name!r}")
        return ()
    if is_class_schema(schema) and "enum" not in schema:
        return (class_name or name,)
    members = schema.get("oneOf") or schema.get("anyOf") or []
    prefix = "#/components/schemas/"
    refs = [m.get("$ref", "") if isinstance(m, dict) else "" for m in members]
    names = tuple(ref.removeprefix(prefix) for ref in refs if ref.startswith(prefix))
    if not names or len(names) != len(members) or not all(is_class_schema(schemas.get(n)) for n in names):
        ctx.error(pointer, f"{name!r} must be an object schema or a oneOf/anyOf of object schemas")
        return ()
    return names
