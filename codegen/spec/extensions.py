"""The `x-sdk` extensions: SDK design decisions kept beside the API description.

Models forbid unknown keys so a typo in a curated spec is an error, not a silent default.
"""

from __future__ import annotations

import keyword
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"
_HEADER_NAME = r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"

# Attributes every status error has already (templates/runtime/_exceptions.py, APIStatusError and
# its base); an envelope field may not take one of these names.
ERROR_ATTRIBUTES = frozenset(
    {
        "args",
        "body",
        "code",
        "detail",
        "envelope",
        "errors",
        "headers",
        "message",
        "not_retried_reason",
        "reason_phrase",
        "request",
        "request_id",
        "response",
        "retry_after",
        "retry_after_body",
        "status_code",
        "title",
        "with_traceback",
        "add_note",
        # RateLimitWaitError's own
        "group",
        "waited",
        "max_wait",
    }
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Pagination(_Strict):
    style: Literal["page", "offset"]
    page_param: str = "page"
    size_param: str = "limit"
    offset_param: str = "offset"
    items_field: str = "items"
    has_more_field: str | None = None
    total_field: str | None = None


class QuotaWindow(_Strict):
    requests: int = Field(gt=0)
    per: float = Field(gt=0)
    group: str | None = None


class Jobs(_Strict):
    get_operation: str
    cancel_operation: str | None = None
    # The cancel request's body field for the caller's reason; None: the cancel body is empty.
    cancel_reason_field: str | None = None
    id_field: str = "id"
    status_field: str = "status"
    succeeded: list[str]
    failed: list[str]


class WebhookSignature(_Strict):
    """Deliveries signed as `<timestamp_key>=<unix seconds>,<signature_key>=<hex HMAC>` in `header`,
    the HMAC (`digest`) taken over `f"{timestamp}."` followed by the raw body."""

    header: str = Field(pattern=_HEADER_NAME)
    tolerance: float = Field(default=300, gt=0)
    timestamp_key: str = Field(default="t", pattern=r"^[A-Za-z0-9_-]+$")
    signature_key: str = Field(default="v1", pattern=r"^[A-Za-z0-9_-]+$")
    digest: Literal["sha256", "sha512"] = "sha256"
    # The component schema a verified event is parsed into (an object, or a oneOf/anyOf of
    # objects); without it, construct_event returns the event as a dict.
    event_model: str | None = None


class ErrorField(_Strict):
    """A field of the API's error body that errors carry as an attribute of the same name."""

    # Where the body keeps it, first non-empty wins: a key, or dotted keys into nested objects.
    paths: list[str] = Field(min_length=1)
    # Where str(error) shows it: after the headline, in parentheses at the end, or not at all.
    shown: Literal["message", "note", "hidden"] = "hidden"
    label: str = ""  # a note's prefix, e.g. "fix: "
    description: str = ""  # the attribute's docstring


class ErrorItems(_Strict):
    """Keys of one entry of an error's `errors` list, tried before the common spellings."""

    pointer: list[str] = []  # a JSON Pointer to the offending value
    field: list[str] = []  # the offending field's name
    detail: list[str] = []  # the entry's text


class ErrorEnvelope(_Strict):
    # RFC 9457 problem details: title/detail lead the message; requests accept problem+json.
    problem_details: bool = False
    fields: dict[str, ErrorField] = {}  # attribute name -> where the body has it
    retry_after_field: str | None = None  # seconds to wait, in the body of a 429
    items: ErrorItems = ErrorItems()

    @field_validator("fields")
    @classmethod
    def _attribute_names(cls, fields: dict[str, ErrorField]) -> dict[str, ErrorField]:
        for name in fields:
            if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
                raise ValueError(f"{name!r} is not a public Python attribute name")
            if name in ERROR_ATTRIBUTES:
                raise ValueError(f"{name!r} is an attribute every error has already")
        return fields


class QuotaUsageHeaders(_Strict):
    """Response headers reporting the requests used so far of a daily / monthly quota."""

    daily_used: str | None = Field(default=None, pattern=_HEADER_NAME)
    monthly_used: str | None = Field(default=None, pattern=_HEADER_NAME)


class DocumentSdk(_Strict):
    package: str | None = Field(default=None, pattern=_IDENTIFIER)
    distribution: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    client: str | None = Field(default=None, pattern=_IDENTIFIER)
    env_var: str | None = Field(default=None, pattern=r"^[A-Z][A-Z0-9_]*$")
    log_env_var: str | None = Field(default=None, pattern=r"^[A-Z][A-Z0-9_]*$")
    error_envelope: ErrorEnvelope = ErrorEnvelope()
    pagination: Pagination | None = None
    rate_limits: list[QuotaWindow] = []
    # What a server hold (429, Remaining: 0) pauses: "client" holds every operation when the
    # answering operation has no rate_limit_group; "operation" holds only that operation (APIs
    # whose limits are per endpoint).
    rate_limit_holds: Literal["client", "operation"] = "client"
    jobs: Jobs | None = None
    webhook_signature: WebhookSignature | None = None
    quota_usage_headers: QuotaUsageHeaders = QuotaUsageHeaders()
    # The model generator this SDK is designed with; without it the builtin emitter writes the
    # models (docs/decisions.md, "Two model generators"). `--models` overrides either.
    models: Literal["datamodel-code-generator", "builtin"] | None = None

    @field_validator("error_envelope", mode="before")
    @classmethod
    def _envelope_shorthand(cls, value: object) -> object:
        # The names of the two shapes every envelope understands, kept for existing specs.
        if value == "problem":
            return {"problem_details": True}
        if value == "generic":
            return {}
        return value


class Paginate(_Strict):
    items_field: str


class OperationSdk(_Strict):
    resource: str | None = Field(default=None, pattern=r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")
    method: str | None = Field(default=None, pattern=r"^[a-z_][a-z0-9_]*$")
    rate_limit_group: str | None = None
    paginate: Paginate | Literal[False] | None = None

    @field_validator("paginate", mode="before")
    @classmethod
    def _no_true(cls, value: object) -> object:
        if value is True:
            raise ValueError("use {items_field: ...} or false; true is implied by detection")
        return value
