"""What configures a client: the settings the generator decides for one API and the quotas users pass.

The generated ``_constants.py`` builds one ``ClientConfig`` (with its ``ErrorEnvelope`` and
``QuotaUsageHeaders``), a ``PageScheme``, a ``JobScheme`` and a ``WebhookScheme`` from the spec's
``x-sdk`` extensions; the rest of the runtime reads them and knows no API by name. This module
imports nothing else of the package, so any runtime module may read the generated constants.
The generator's settings are NamedTuples, not dataclasses: as immutable, and a fifth of the cost
to define (every `import` of the package pays it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

__all__ = [
    "ClientConfig",
    "ErrorEnvelope",
    "ErrorField",
    "JobScheme",
    "PageScheme",
    "QuotaUsageHeaders",
    "RateLimit",
    "WebhookScheme",
]


@dataclass(frozen=True)
class RateLimit:
    """At most `requests` request starts in any interval of `per` seconds.

    `group=None` applies the limit to every operation; a group name applies it only to the
    operations declared with that `rate_limit_group`.
    """

    requests: int
    per: float
    group: str | None = None

    def __post_init__(self) -> None:
        requests: object = self.requests
        if isinstance(requests, bool) or not isinstance(requests, int) or requests < 1:
            msg = f"RateLimit.requests must be a positive integer, got {requests!r}"
            raise ValueError(msg)
        per: object = self.per
        if isinstance(per, bool) or not isinstance(per, int | float) or not math.isfinite(per) or per <= 0:
            msg = f"RateLimit.per must be a positive number of seconds, got {per!r}"
            raise ValueError(msg)
        object.__setattr__(self, "per", float(per))
        group: object = self.group
        if group is not None and (not isinstance(group, str) or not group):
            msg = f"RateLimit.group must be None or a non-empty string, got {group!r}"
            raise ValueError(msg)

    def describe(self) -> str:
        scope = "all operations" if self.group is None else f"group {self.group!r}"
        return f"{self.requests} per {self.per:g}s ({scope})"


class ErrorField(NamedTuple):
    """A field of the API's error body that every status error carries as attribute `name`.

    `paths` are where the body keeps it, tried in order: a key, or keys joined by dots for a
    nested object (``data.hint``); the first one holding text wins. `shown` says where the
    error's one-line message shows it: ``"message"`` after the headline (joined by a dash),
    ``"note"`` in parentheses at the end, prefixed by `label`, or ``"hidden"`` (attribute only).
    """

    name: str
    paths: tuple[str, ...]
    shown: Literal["message", "note", "hidden"] = "hidden"
    label: str = ""


class ErrorEnvelope(NamedTuple):
    """What an API's error bodies look like, so errors read the right fields.

    Whatever the envelope, the runtime also understands the common shapes: a ``message`` (or a
    nested ``error.message``), RFC 9457 problem details (``title``, ``detail``, ``code``), an
    ``errors`` list, bare strings, HTML pages and empty bodies.

    `problem_details`: the API answers errors as RFC 9457 problem details (``title`` and
    ``detail`` lead the message, and requests accept ``application/problem+json``).
    `fields`: the API's own fields beyond those (`ErrorField`).
    `retry_after_field`: a body field holding the seconds to wait before retrying a 429.
    `item_pointer` / `item_field` / `item_detail`: keys of one entry of the ``errors`` list
    holding a JSON Pointer to the offending value, the name of the offending field, and the
    entry's text; tried before the common spellings.
    """

    problem_details: bool = False
    fields: tuple[ErrorField, ...] = ()
    retry_after_field: str | None = None
    item_pointer: tuple[str, ...] = ()
    item_field: tuple[str, ...] = ()
    item_detail: tuple[str, ...] = ()

    def field_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields)


class QuotaUsageHeaders(NamedTuple):
    """Response headers that report how many requests of a longer quota are used so far."""

    daily_used: str | None = None
    monthly_used: str | None = None


class ClientConfig(NamedTuple):
    """What the generator decides for one API; the same for every client instance."""

    package: str
    version: str
    env_var: str
    log_env_var: str
    default_base_url: str
    auth_kind: Literal["header", "query", "cookie", "bearer", "basic", "none"]
    auth_name: str
    default_quotas: tuple[RateLimit, ...]
    error_envelope: ErrorEnvelope = ErrorEnvelope()
    quota_usage_headers: QuotaUsageHeaders = QuotaUsageHeaders()
    rate_limit_groups: frozenset[str] = frozenset()  # the groups operations belong to
    auth_required: bool = True  # False: the spec requires no security, the key is optional


class PageScheme(NamedTuple):
    """How an API pages: page numbers with totals at the root, or offsets with a has-more flag."""

    style: Literal["page", "offset"]
    page_param: str
    size_param: str
    offset_param: str
    has_more_field: str | None
    total_field: str | None

    def next_query(
        self, query: Mapping[str, object], body: Mapping[str, Any], item_count: int
    ) -> dict[str, object] | None:
        if item_count == 0:
            return None
        size = _int(query.get(self.size_param))
        if self.style == "offset":
            more = body.get(self.has_more_field) if self.has_more_field else None
            if more is False or (more is None and (size is None or item_count < size)):
                return None
            return {self.offset_param: (_int(query.get(self.offset_param)) or 0) + item_count}
        page = _int(query.get(self.page_param)) or _int(body.get(self.page_param)) or 1
        total = _int(body.get(self.total_field)) if self.total_field else None
        size = size or _int(body.get(self.size_param)) or item_count
        if total is not None:
            return {self.page_param: page + 1} if page * size < total else None
        return {self.page_param: page + 1} if item_count >= size else None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


class JobScheme(NamedTuple):
    """Where a background job is polled and cancelled, and which statuses end it.

    `cancel_reason_field` is the body field of the cancel request that carries the caller's
    reason (None: the API takes none, and the cancel body is empty).
    """

    get_path: str
    cancel_path: str | None
    id_field: str
    status_field: str
    succeeded: tuple[str, ...]
    failed: tuple[str, ...]
    cast_to: Callable[[], Any]  # the job model, imported on first use
    cancel_reason_field: str | None = None


class WebhookScheme(NamedTuple):
    """How the API signs webhook deliveries, and what they hold.

    The signature header carries ``<timestamp_key>=<unix seconds>`` and one or more
    ``<signature_key>=<hex>`` entries, comma-separated; each hex value is an HMAC (`digest`)
    keyed with the endpoint's secret over ``f"{timestamp}."`` followed by the raw body. A delivery
    older or newer than `tolerance` seconds is refused. `event_model` returns the type a verified
    event is parsed into (None: the event stays a dict), imported on first use.
    """

    header: str
    tolerance: float = 300.0
    timestamp_key: str = "t"
    signature_key: str = "v1"
    digest: Literal["sha256", "sha512"] = "sha256"
    event_model: Callable[[], Any] = lambda: None
