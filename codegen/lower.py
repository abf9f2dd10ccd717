"""Lower a loaded, validated OpenAPI document to the frozen IR."""

from __future__ import annotations

import keyword
import re
import sys
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from pydantic import ValidationError

from . import __version__
from .diagnostics import Diagnostic, SpecError, join_pointer, processing, source_name
from .inputs import InputTypes, body_fields
from .ir import (
    Auth,
    Body,
    ErrorEnvelopeConfig,
    ErrorFieldConfig,
    JobConfig,
    Operation,
    Package,
    PagingConfig,
    Param,
    Quota,
    QuotaUsageConfig,
    Resource,
    Returns,
    RuntimeConfig,
    WebhookConfig,
)
from .loose import loose_warnings
from .naming import (
    class_from_title,
    env_prefix,
    numbered_after_underscore,
    package_from_title,
    parameter_name,
    pascal,
    repeated,
    safe_attribute,
    safe_identifier,
    singular_of,
    snake,
    unique_name,
)
from .prepare import Prepared, iter_operations
from .reserved import CALL_OPTIONS, CLIENT_ATTRIBUTES, RESOURCE_ATTRIBUTES
from .spec.extensions import DocumentSdk, OperationSdk
from .spec.load import LoadedSpec
from .typeref import ANY_MAPPING, BYTES, LOOSE, NONE, STR, TypeRef, sequence_of, union
from .types import TypeNamer, is_class_schema

_VERSION_SEGMENT = re.compile(r"^(v\d+|api)$")


@dataclass
class _Ctx:
    spec: LoadedSpec
    prepared: Prepared
    namer: TypeNamer
    sdk: DocumentSdk
    inputs: InputTypes
    diagnostics: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)

    def error(self, pointer: str, message: str) -> None:
        self.diagnostics.append(self.spec.diagnostic(pointer, message))

    def warn(self, pointer: str, message: str) -> None:
        self.warnings.append(self.spec.diagnostic(pointer, message, "warning"))


def read_document_sdk(spec: LoadedSpec) -> DocumentSdk:
    try:
        return DocumentSdk.model_validate(spec.data.get("x-sdk") or {})
    except ValidationError as exc:
        raise SpecError([_pydantic_diag(spec, "/x-sdk", err) for err in exc.errors()]) from None


def _pydantic_diag(spec: LoadedSpec, base: str, err: Any) -> Diagnostic:
    pointer = join_pointer(base, *[str(p) for p in err["loc"] if not str(p).startswith("function-")])
    message = "unknown key (typo?)" if err["type"] == "extra_forbidden" else err["msg"]
    return spec.diagnostic(pointer, f"x-sdk: {message}")


def lower(spec: LoadedSpec, prepared: Prepared, *, package_name: str | None = None) -> Package:
    sdk = read_document_sdk(spec)
    schemas = (prepared.document.get("components") or {}).get("schemas") or {}
    inputs = InputTypes(prepared.document, model_names=frozenset(schemas))
    ctx = _Ctx(spec, prepared, TypeNamer(prepared.document), sdk, inputs)
    info = spec.data.get("info") or {}
    title = str(info.get("title") or "API")
    package = package_name or sdk.package or package_from_title(title) or "client"
    package = safe_identifier(snake(package))
    if package in sys.stdlib_module_names or package in ("httpx", "pydantic", "pydantic_core", "redis"):
        package += "_client"  # `numbers` would shadow the standard library's module for everyone
    named_by_title = not (package_name or sdk.package)
    client = sdk.client or (class_from_title(title) if named_by_title else pascal(package))
    if not client.isidentifier() or keyword.iskeyword(client):
        client = pascal(package)
    operations = _collect_operations(ctx)
    resources = _build_resources(ctx, operations)
    jobs = _jobs(ctx)
    runtime = _runtime_config(ctx)
    if ctx.diagnostics:
        raise SpecError(ctx.diagnostics)
    paging = sdk.pagination
    result = Package(
        spec_file=source_name(spec.path),
        title=title,
        api_version=str(info.get("version") or "0"),
        version=_package_version(str(info.get("version") or "0")),
        package=package,
        distribution=sdk.distribution or package.removesuffix("_client").replace("_", "-") + "-client",
        client=client,
        async_client="Async" + client,
        env_var=sdk.env_var or env_prefix(package) + "_API_KEY",
        log_env_var=sdk.log_env_var or env_prefix(package) + "_LOG",
        base_url=_base_url(spec.data),
        auth=_auth(spec.data),
        quotas=tuple(Quota(q.requests, q.per, q.group) for q in sdk.rate_limits),
        paging=PagingConfig(
            paging.style,
            paging.page_param,
            paging.size_param,
            paging.offset_param,
            paging.has_more_field,
            paging.total_field,
        )
        if paging
        else None,
        jobs=jobs,
        runtime=runtime,
        resources=resources,
        input_dicts=inputs.typed_dicts(),
        description=str(info.get("description") or ""),
        urls=_project_urls(spec.data),
        warnings=tuple(str(w) for w in ctx.warnings)
        + tuple(
            str(spec.diagnostic(p, f"no precise type, using {LOOSE}", "warning"))
            for p in dict.fromkeys(ctx.namer.loose + ctx.inputs.loose)
        )
        + tuple(str(w) for w in loose_warnings(spec)),
    )
    return result


def _package_version(api_version: str) -> str:
    """The API's version followed by the generator's, so either change reaches users as a new version."""
    numbers = re.findall(r"\d+", api_version)[:3] or ["0"]
    while len(numbers) < 3:
        numbers.append("0")
    major, minor, patch = (int(x) for x in __version__.split(".")[:3])
    return ".".join(str(int(n)) for n in numbers) + f".{major * 10000 + minor * 100 + patch}"


def _project_urls(data: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Links for the distribution's metadata, from what the spec itself points to."""
    info = data.get("info")
    contact = info.get("contact") if isinstance(info, dict) else None
    docs = data.get("externalDocs")
    found: list[tuple[str, str]] = []
    for label, holder in (("Homepage", contact), ("Documentation", docs)):
        url = holder.get("url") if isinstance(holder, dict) else None
        if not isinstance(url, str) or not url.startswith(("https://", "http://")) or not url.isprintable():
            continue
        if not any(ch.isspace() for ch in url) and url not in dict(found).values():
            found.append((label, url))
    return tuple(found)


def _base_url(data: dict[str, Any]) -> str:
    servers = data.get("servers") or []
    if servers and isinstance(servers[0], dict) and isinstance(servers[0].get("url"), str):
        url: str = servers[0]["url"]
        for name, var in (servers[0].get("variables") or {}).items():
            url = url.replace("{" + name + "}", str(var.get("default", "")))
        return url.rstrip("/")
    return "http://localhost"


def _auth(data: dict[str, Any]) -> Auth:
    """The scheme of the document's requirement, else of the operations', else the first declared.
    The key is required when some operation requires security; when none does (no requirement, or
    an empty one, {}, that allows calls without auth) a client must not demand a key."""
    schemes = (data.get("components") or {}).get("securitySchemes") or {}
    declared = data.get("security")
    top: list[Any] = declared if isinstance(declared, list) else []
    effective = [
        op["security"] if isinstance(op.get("security"), list) else top for _, _, _, op in iter_operations(data)
    ] or [top]
    required = any(bool(reqs) and all(isinstance(r, dict) and r for r in reqs) for reqs in effective)
    chosen: list[str] = []
    for requirement in [*top, *(r for reqs in effective for r in reqs)]:
        if isinstance(requirement, dict):
            chosen.extend(requirement)
    chosen.extend(schemes)
    auth = _scheme_auth(schemes, chosen)
    return replace(auth, required=required and auth.kind != "none")


def _scheme_auth(schemes: dict[str, Any], chosen: list[str]) -> Auth:
    for name in chosen:
        scheme = schemes.get(name)
        if not isinstance(scheme, dict):
            continue
        kind = scheme.get("type")
        if kind == "apiKey" and scheme.get("in") in ("header", "query", "cookie"):
            return Auth(scheme["in"], str(scheme.get("name") or "X-API-Key"))
        if kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
            return Auth("basic", "Authorization")
        if kind in ("http", "oauth2", "openIdConnect"):
            return Auth("bearer", "Authorization")
    return Auth("none", "")


@dataclass
class _RawOp:
    resource: tuple[str, ...]
    operation: Operation


def _collect_operations(ctx: _Ctx) -> list[_RawOp]:
    doc = ctx.prepared.document
    result: list[_RawOp] = []
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
            op_sdk = OperationSdk.model_validate(op.get("x-sdk") or {})
        except ValidationError as exc:
            ctx.diagnostics.extend(_pydantic_diag(ctx.spec, join_pointer(pointer, "x-sdk"), e) for e in exc.errors())
            continue
        resource = tuple(op_sdk.resource.split(".")) if op_sdk.resource else (_default_resource(path, op),)
        method_name = op_sdk.method or _default_method(op_id, method, path, resource[-1])
        if op_sdk.rate_limit_group is None and ctx.sdk.rate_limit_holds == "operation":
            # Its own group, so that a 429 it gets holds it alone.
            op_sdk = op_sdk.model_copy(update={"rate_limit_group": ".".join((*resource, method_name))})
        result.append(
            _RawOp(resource, _operation(ctx, path, method, item, op, op_sdk, op_id or "", method_name, pointer))
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


def _param_list(ctx: _Ctx, item: dict[str, Any], op: dict[str, Any], pointer: str) -> list[tuple[str, dict[str, Any]]]:
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
    ctx: _Ctx,
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
        returns=_returns(ctx, op, op_sdk, method, params, pointer),
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
        return (schema, "json") if _is_json(str(media_type)) else ({"type": "string"}, None)
    style = raw.get("style")
    return raw.get("schema") or {}, style if isinstance(style, str) else None


def _is_json(media_type: str) -> bool:
    base = media_type.split(";")[0].strip().lower()
    return base == "application/json" or base.endswith("+json") or base == "*/*"


def _body(ctx: _Ctx, op: dict[str, Any], pointer: str, taken: set[str]) -> Body | None:
    request = ctx.namer.resolve(op.get("requestBody"))
    if not isinstance(request, dict) or not request.get("content"):
        return None
    content: dict[str, Any] = request["content"]
    required = bool(request.get("required"))
    for media_type, media in content.items():
        if _is_json(media_type):
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


def _success(ctx: _Ctx, op: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    responses = op.get("responses") or {}
    for status in ("200", "201", "202", "203", "204", "206", "2XX", "default"):
        for key in (status, int(status) if status.isdigit() else status):
            if key in responses:
                return status, ctx.namer.resolve(responses[key]) or {}
    return None


def _redirects_with_location(ctx: _Ctx, op: dict[str, Any]) -> bool:
    for status, response in (op.get("responses") or {}).items():
        headers = (ctx.namer.resolve(response) or {}).get("headers") or {}
        if str(status).startswith("3") and any(name.lower() == "location" for name in headers):
            return True
    return False


def _returns(
    ctx: _Ctx,
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
        if _is_json(media_type):
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


def _other_successes(ctx: _Ctx, op: dict[str, Any], chosen: str, pointer: str) -> list[TypeRef]:
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
            if _is_json(media_type):
                where = join_pointer(pointer, "responses", status, "content", media_type, "schema")
                out.append(ctx.namer.annotation((media or {}).get("schema", {}), where))
                break
    return out


def _paging(ctx: _Ctx, op_sdk: OperationSdk, schema: Any, params: list[Param]) -> tuple[str, TypeRef] | None:
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


def _build_resources(ctx: _Ctx, raw_ops: list[_RawOp]) -> tuple[Resource, ...]:
    tree: dict[tuple[str, ...], list[Operation]] = OrderedDict()
    for raw in raw_ops:
        for depth in range(1, len(raw.resource) + 1):
            tree.setdefault(raw.resource[:depth], [])
        tree[raw.resource].append(raw.operation)

    def build(path: tuple[str, ...]) -> Resource:
        children = tuple(build(p) for p in tree if len(p) == len(path) + 1 and p[: len(path)] == path)
        taken = {c.attr for c in children} | RESOURCE_ATTRIBUTES
        ops = _unique_methods(ctx, path, tree[path], taken)
        return Resource(
            attr=path[-1],
            path=path,
            class_name="".join(pascal(p) for p in path),
            operations=tuple(ops),
            children=children,
        )

    roots: list[Resource] = []
    for path in [p for p in tree if len(p) == 1]:
        resource = build(path)
        if resource.attr in CLIENT_ATTRIBUTES:
            # A trailing underscore, as for keywords: client.close_ next to client.close().
            taken_roots = CLIENT_ATTRIBUTES | {r.attr for r in roots} | {p[0] for p in tree}
            name = unique_name(resource.attr + "_", taken_roots)
            ctx.warn(
                resource.operations[0].pointer if resource.operations else "/paths",
                f"resource name {resource.attr!r} collides with a client attribute; it is client.{name}",
            )
            resource = replace(resource, attr=name)
        roots.append(resource)
    return tuple(roots)


def _unique_methods(ctx: _Ctx, path: tuple[str, ...], ops: list[Operation], taken: set[str]) -> list[Operation]:
    seen: dict[str, Operation] = {}
    out: list[Operation] = []
    for op in ops:
        name = op.method_name
        if name in taken:
            # Like keywords, a trailing underscore: users.keys_() next to the users.keys resource.
            name = unique_name(name, taken | {o.method_name for o in ops})
            ctx.warn(
                op.pointer,
                f"method name {op.method_name!r} collides with an attribute of {'.'.join(path)}; it is {name}",
            )
            op = replace(op, method_name=name)
        if name in seen:
            if op.operation_id and seen[name].operation_id and op.operation_id != seen[name].operation_id:
                alt = safe_attribute(snake(op.operation_id))
                if alt not in seen:
                    ctx.warn(op.pointer, f"method {'.'.join(path)}.{name} already exists; this one is {alt}")
                    name = alt
            if name in seen:
                name = unique_name(op.method_name, seen, numbered_after_underscore)
                ctx.warn(op.pointer, f"method {'.'.join(path)}.{op.method_name} already exists; this one is {name}")
            op = replace(op, method_name=name)
        seen[name] = op
        out.append(op)
    return out


def _jobs(ctx: _Ctx) -> JobConfig | None:
    jobs = ctx.sdk.jobs
    if jobs is None:
        return None
    found: dict[str, tuple[str, Returns]] = {}
    for path, _item, method, op in iter_operations(ctx.prepared.document):
        if op.get("operationId") in (jobs.get_operation, jobs.cancel_operation):
            found[op["operationId"]] = (
                re.sub(r"{[^}]+}", "{id}", path),
                _returns(ctx, op, OperationSdk(), method, [], ""),
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


def _runtime_config(ctx: _Ctx) -> RuntimeConfig:
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


def _event_models(ctx: _Ctx, name: str | None) -> tuple[str, ...]:
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
