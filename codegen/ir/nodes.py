"""The intermediate representation: everything templates need, decided in Python.

Frozen and Python-shaped: names are identifiers, types are typed references (codegen/ir/typeref.py)
spelled only when rendered, and templates only lay them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .typeref import TypeRef

ParamLocation = Literal["path", "query", "header", "cookie"]


@dataclass(frozen=True)
class Param:
    name: str  # Python identifier
    wire_name: str
    location: ParamLocation
    annotation: TypeRef  # what callers may pass (codegen/types/inputs.py)
    required: bool
    description: str = ""
    style: str | None = None  # as declared; "json" for a parameter declared with JSON `content`
    explode: bool | None = None
    deprecated: bool = False


@dataclass(frozen=True)
class BodyField:
    """A top-level field of an object body, taken as a keyword argument."""

    name: str  # Python identifier
    wire_name: str
    annotation: TypeRef  # what callers may pass (codegen/types/inputs.py)
    required: bool
    description: str = ""
    renamed: bool = False  # prefixed with body_: the plain name is a parameter or call option


@dataclass(frozen=True)
class Body:
    kind: Literal["json", "multipart", "form", "binary", "text"]
    annotation: TypeRef  # type the method accepts as `body` when the body is not a plain object
    required: bool
    content_type: str
    fields: tuple[BodyField, ...] | None = None  # keyword arguments instead of `body`


@dataclass(frozen=True)
class InputDict:
    """A TypedDict for passing a model's data as a dict; keys are wire names."""

    name: str
    model: str
    fields: tuple[tuple[str, TypeRef, bool], ...]  # (wire name, input type, required)
    open: bool = False  # not a plain object: any mapping
    doc: str = ""


@dataclass(frozen=True)
class Returns:
    kind: Literal["none", "model", "bytes", "text", "page", "job", "location"]
    annotation: TypeRef  # what the plain method returns (without the Page/Job wrapper)
    cast: TypeRef | None  # the type the body is parsed into; None: not parsed
    item_annotation: TypeRef | None = None  # page item type
    items_field: str = ""  # wire name of the array field holding page items
    media_type: str = ""  # Accept header for non-JSON answers (text/csv, application/pdf); "" means JSON


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method_name: str
    http_method: str
    path: str  # wire path template, e.g. /v3/contacts/{id}
    path_expression: str  # Python f-string body with identifiers, e.g. /v3/contacts/{id}
    params: tuple[Param, ...]
    body: Body | None
    returns: Returns
    summary: str
    description: str
    deprecated: bool
    rate_limit_group: str | None
    pointer: str

    @property
    def path_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location == "path")

    @property
    def other_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.location != "path")


@dataclass(frozen=True)
class Resource:
    attr: str  # attribute on the parent (client or resource)
    path: tuple[str, ...]  # attribute chain from the client
    class_name: str  # e.g. "Contacts" -> Contacts / AsyncContacts
    operations: tuple[Operation, ...]
    children: tuple[Resource, ...]


@dataclass(frozen=True)
class Quota:
    requests: int
    per: float
    group: str | None


@dataclass(frozen=True)
class JobConfig:
    get_path: str  # path template with one placeholder {id}
    cancel_path: str | None
    id_field: str
    status_field: str
    succeeded: tuple[str, ...]
    failed: tuple[str, ...]
    model: TypeRef  # what the job's status operation answers
    cancel_reason_field: str | None = None  # body field of the cancel request for the reason


@dataclass(frozen=True)
class ErrorFieldConfig:
    """A field of the API's error body that every status error carries as attribute `name`."""

    name: str
    paths: tuple[str, ...]  # keys, or dotted keys into nested objects; first non-empty wins
    shown: Literal["message", "note", "hidden"] = "hidden"
    label: str = ""
    description: str = ""


@dataclass(frozen=True)
class ErrorEnvelopeConfig:
    """What the API's error bodies look like (x-sdk.error_envelope); the runtime's ErrorEnvelope."""

    problem_details: bool = False
    fields: tuple[ErrorFieldConfig, ...] = ()
    retry_after_field: str | None = None
    item_pointer: tuple[str, ...] = ()
    item_field: tuple[str, ...] = ()
    item_detail: tuple[str, ...] = ()


@dataclass(frozen=True)
class QuotaUsageConfig:
    """Response headers with the requests used of a daily / monthly quota."""

    daily_used: str | None = None
    monthly_used: str | None = None


@dataclass(frozen=True)
class WebhookConfig:
    """How deliveries are signed (x-sdk.webhook_signature) and what a verified event becomes."""

    header: str
    tolerance: float = 300.0
    timestamp_key: str = "t"
    signature_key: str = "v1"
    digest: Literal["sha256", "sha512"] = "sha256"
    event_models: tuple[str, ...] = ()  # model classes of the event: one, or the members of a union


@dataclass(frozen=True)
class RuntimeConfig:
    """The per-API facts the runtime reads from the generated _constants.py."""

    error_envelope: ErrorEnvelopeConfig = ErrorEnvelopeConfig()
    quota_usage: QuotaUsageConfig = QuotaUsageConfig()
    webhook: WebhookConfig | None = None


@dataclass(frozen=True)
class PagingConfig:
    style: Literal["page", "offset"]
    page_param: str
    size_param: str
    offset_param: str
    has_more_field: str | None
    total_field: str | None


@dataclass(frozen=True)
class Auth:
    kind: Literal["header", "query", "cookie", "bearer", "basic", "none"]
    name: str  # header/query/cookie name; "Authorization" for bearer/basic
    required: bool = True  # False when the spec requires no security: the key is then optional


@dataclass(frozen=True)
class ReleaseNote:
    """One release in the package's changelog, newest first in Package.releases."""

    version: str
    date: str | None
    bump: str  # major, minor, patch, or first
    api_version: str
    breaking: tuple[str, ...]
    added: tuple[str, ...]
    other: tuple[str, ...]


@dataclass(frozen=True)
class Package:
    spec_file: str
    title: str
    api_version: str
    version: str  # distribution version
    package: str
    distribution: str
    client: str
    async_client: str
    env_var: str
    log_env_var: str
    base_url: str
    auth: Auth
    quotas: tuple[Quota, ...]
    paging: PagingConfig | None
    jobs: JobConfig | None
    resources: tuple[Resource, ...]
    runtime: RuntimeConfig = RuntimeConfig()
    input_dicts: tuple[InputDict, ...] = ()
    description: str = ""
    warnings: tuple[str, ...] = field(default=())
    urls: tuple[tuple[str, str], ...] = field(default=())  # (label, URL) for the distribution's metadata
    releases: tuple[ReleaseNote, ...] = field(default=())  # from the release record; empty without one

    @property
    def webhook_header(self) -> str | None:
        return self.runtime.webhook.header if self.runtime.webhook else None

    @property
    def rate_limit_groups(self) -> tuple[str, ...]:
        groups = {op.rate_limit_group for _, op in self.all_operations() if op.rate_limit_group}
        groups |= {q.group for q in self.quotas if q.group}
        return tuple(sorted(groups))

    def all_operations(self) -> list[tuple[Resource, Operation]]:
        out: list[tuple[Resource, Operation]] = []

        def walk(resource: Resource) -> None:
            out.extend((resource, op) for op in resource.operations)
            for child in resource.children:
                walk(child)

        for resource in self.resources:
            walk(resource)
        return out
