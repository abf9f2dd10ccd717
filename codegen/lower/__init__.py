"""Lower a loaded, validated OpenAPI document to the frozen IR: the package, from its operations
(operations.py, returns.py), grouped into resources (resources.py), and the runtime's per-API
facts from x-sdk (runtime_config.py)."""

from __future__ import annotations

import keyword
import re
import sys
from dataclasses import replace
from typing import Any

from .. import __version__
from ..diagnostics import SpecError, source_name
from ..ir.nodes import (
    Auth,
    Package,
    PagingConfig,
    Quota,
)
from ..ir.typeref import LOOSE
from ..naming import (
    class_from_title,
    env_prefix,
    package_from_title,
    pascal,
    safe_identifier,
    snake,
)
from ..prepare import Prepared, iter_operations
from ..prepare.loose import loose_warnings
from ..spec.load import LoadedSpec
from ..types.inputs import InputTypes
from ..types.schema import TypeNamer
from .context import Context, read_document_sdk
from .operations import collect_operations
from .resources import build_resources
from .runtime_config import jobs_config, runtime_config


def lower(spec: LoadedSpec, prepared: Prepared, *, package_name: str | None = None) -> Package:
    sdk = read_document_sdk(spec)
    schemas = (prepared.document.get("components") or {}).get("schemas") or {}
    inputs = InputTypes(prepared.document, model_names=frozenset(schemas), origins=prepared.origins)
    ctx = Context(spec, prepared, TypeNamer(prepared.document), sdk, inputs)
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
    operations = collect_operations(ctx)
    resources = build_resources(ctx, operations)
    jobs = jobs_config(ctx)
    runtime = runtime_config(ctx)
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
