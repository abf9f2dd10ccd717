"""The `x-sdk` extensions: SDK design decisions kept beside the API description.

Plain frozen dataclasses, which pydantic validates only where a spec has an `x-sdk`: most
real-world specs have none, and their runs then never import pydantic (a tenth of a second).
Unknown keys are refused so a typo in a curated spec is an error, not a silent default.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypeVar

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


T = TypeVar("T")


class SdkInvalid(Exception):
    """An `x-sdk` value pydantic refused; `errors` are its errors (`loc`, `msg`, `type`)."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors


def read_sdk(kind: type[T], value: object) -> T:
    """The extension `value` as `kind`: its defaults where the spec gives none (or an empty one),
    else as pydantic validates it; SdkInvalid where it does not."""
    if not value:
        return kind()
    from pydantic import ValidationError

    try:
        valid: T = _adapter(kind).validate_python(value)
    except ValidationError as exc:
        raise SdkInvalid([dict(error) for error in exc.errors()]) from None
    return valid


_ADAPTERS: dict[type[Any], Any] = {}  # pydantic's validator of each kind, built on first use


def _adapter(kind: type[Any]) -> Any:
    if kind not in _ADAPTERS:
        from pydantic import TypeAdapter

        _ADAPTERS[kind] = TypeAdapter(kind)
    return _ADAPTERS[kind]


class _Constrained:
    """pydantic's field constraints (`gt`, `pattern`, `min_length`), added to the field's schema
    when pydantic validates it: declared without importing pydantic."""

    def __init__(self, **constraints: object) -> None:
        self._constraints = constraints

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], Any]) -> Any:
        return {**handler(source), **self._constraints}


class _Validated:
    """A check or conversion of the field's value, before or after pydantic's own validation."""

    def __init__(self, check: Callable[[Any], Any], *, before: bool = False) -> None:
        self._check, self._before = check, before

    def __get_pydantic_core_schema__(self, source: Any, handler: Callable[[Any], Any]) -> Any:
        from pydantic_core import core_schema

        wrap = (
            core_schema.no_info_before_validator_function
            if self._before
            else core_schema.no_info_after_validator_function
        )
        return wrap(self._check, handler(source))


# How pydantic reads a stdlib dataclass: unknown keys are errors, as a typo should be.
_FORBID = {"extra": "forbid"}


@dataclass(frozen=True)
class Pagination:
    __pydantic_config__ = _FORBID

    style: Literal["page", "offset"]
    page_param: str = "page"
    size_param: str = "limit"
    offset_param: str = "offset"
    items_field: str = "items"
    has_more_field: str | None = None
    total_field: str | None = None


@dataclass(frozen=True)
class QuotaWindow:
    __pydantic_config__ = _FORBID

    requests: Annotated[int, _Constrained(gt=0)]
    per: Annotated[float, _Constrained(gt=0)]
    group: str | None = None


@dataclass(frozen=True)
class Jobs:
    __pydantic_config__ = _FORBID

    get_operation: str
    succeeded: list[str]
    failed: list[str]
    cancel_operation: str | None = None
    # The cancel request's body field for the caller's reason; None: the cancel body is empty.
    cancel_reason_field: str | None = None
    id_field: str = "id"
    status_field: str = "status"


@dataclass(frozen=True)
class WebhookSignature:
    """Deliveries signed as `<timestamp_key>=<unix seconds>,<signature_key>=<hex HMAC>` in `header`,
    the HMAC (`digest`) taken over `f"{timestamp}."` followed by the raw body."""

    __pydantic_config__ = _FORBID

    header: Annotated[str, _Constrained(pattern=_HEADER_NAME)]
    tolerance: Annotated[float, _Constrained(gt=0)] = 300
    timestamp_key: Annotated[str, _Constrained(pattern=r"^[A-Za-z0-9_-]+$")] = "t"
    signature_key: Annotated[str, _Constrained(pattern=r"^[A-Za-z0-9_-]+$")] = "v1"
    digest: Literal["sha256", "sha512"] = "sha256"
    # The component schema a verified event is parsed into (an object, or a oneOf/anyOf of
    # objects); without it, construct_event returns the event as a dict.
    event_model: str | None = None


@dataclass(frozen=True)
class ErrorField:
    """A field of the API's error body that errors carry as an attribute of the same name."""

    __pydantic_config__ = _FORBID

    # Where the body keeps it, first non-empty wins: a key, or dotted keys into nested objects.
    paths: Annotated[list[str], _Constrained(min_length=1)]
    # Where str(error) shows it: after the headline, in parentheses at the end, or not at all.
    shown: Literal["message", "note", "hidden"] = "hidden"
    label: str = ""  # a note's prefix, e.g. "fix: "
    description: str = ""  # the attribute's docstring


@dataclass(frozen=True)
class ErrorItems:
    """Keys of one entry of an error's `errors` list, tried before the common spellings."""

    __pydantic_config__ = _FORBID

    pointer: list[str] = field(default_factory=list)  # a JSON Pointer to the offending value
    detail: list[str] = field(default_factory=list)  # the entry's text
    # Last: the name is dataclasses' field() in the class body up to here.
    field: list[str] = field(default_factory=list)  # the offending field's name


def _attribute_names(fields: dict[str, ErrorField]) -> dict[str, ErrorField]:
    for name in fields:
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            raise ValueError(f"{name!r} is not a public Python attribute name")
        if name in ERROR_ATTRIBUTES:
            raise ValueError(f"{name!r} is an attribute every error has already")
    return fields


@dataclass(frozen=True)
class ErrorEnvelope:
    __pydantic_config__ = _FORBID

    # RFC 9457 problem details: title/detail lead the message; requests accept problem+json.
    problem_details: bool = False
    # attribute name -> where the body has it
    fields: Annotated[dict[str, ErrorField], _Validated(_attribute_names)] = field(default_factory=dict)
    retry_after_field: str | None = None  # seconds to wait, in the body of a 429
    items: ErrorItems = ErrorItems()


@dataclass(frozen=True)
class QuotaUsageHeaders:
    """Response headers reporting the requests used so far of a daily / monthly quota."""

    __pydantic_config__ = _FORBID

    daily_used: Annotated[str, _Constrained(pattern=_HEADER_NAME)] | None = None
    monthly_used: Annotated[str, _Constrained(pattern=_HEADER_NAME)] | None = None


def _envelope_shorthand(value: object) -> object:
    # The names of the two shapes every envelope understands, kept for existing specs.
    if value == "problem":
        return {"problem_details": True}
    if value == "generic":
        return {}
    return value


@dataclass(frozen=True)
class DocumentSdk:
    __pydantic_config__ = _FORBID

    package: Annotated[str, _Constrained(pattern=_IDENTIFIER)] | None = None
    distribution: Annotated[str, _Constrained(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")] | None = None
    client: Annotated[str, _Constrained(pattern=_IDENTIFIER)] | None = None
    env_var: Annotated[str, _Constrained(pattern=r"^[A-Z][A-Z0-9_]*$")] | None = None
    log_env_var: Annotated[str, _Constrained(pattern=r"^[A-Z][A-Z0-9_]*$")] | None = None
    error_envelope: Annotated[ErrorEnvelope, _Validated(_envelope_shorthand, before=True)] = ErrorEnvelope()
    pagination: Pagination | None = None
    rate_limits: list[QuotaWindow] = field(default_factory=list)
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


@dataclass(frozen=True)
class Paginate:
    __pydantic_config__ = _FORBID

    items_field: str


def _no_true(value: object) -> object:
    if value is True:
        raise ValueError("use {items_field: ...} or false; true is implied by detection")
    return value


@dataclass(frozen=True)
class OperationSdk:
    __pydantic_config__ = _FORBID

    resource: Annotated[str, _Constrained(pattern=r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")] | None = None
    method: Annotated[str, _Constrained(pattern=r"^[a-z_][a-z0-9_]*$")] | None = None
    rate_limit_group: str | None = None
    paginate: Annotated[Paginate | Literal[False] | None, _Validated(_no_true, before=True)] = None
