"""The exception tree shared by every generated client, and the status -> error mapping.

``make_status_error`` turns any error response into the right ``APIStatusError``
subclass and parses whatever body came back (Reloop's ``{message, why, fix, link}``,
RFC 9457 problem details, bare strings, HTML pages from a proxy, nothing at all)
without ever failing itself. ``str(error)`` is one informative line; request headers
(and so the API key) never appear in it.
"""

import enum
import html
import json
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeVar

import httpx

from ._logging import is_sensitive_header
from ._retry import parse_retry_after

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
    "ConflictError",
    "Envelope",
    "ErrorDetail",
    "InternalServerError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTooLargeError",
    "ServiceUnavailableError",
    "UnprocessableEntityError",
    "WebhookVerificationError",
    "make_status_error",
    "status_error_class",
    "with_not_retried_note",
]

Envelope = Literal["reloop", "problem", "generic"]
BodyKind = Literal["empty", "json", "html", "text"]

SNIPPET_LIMIT = 200
"""Longest excerpt of a non-JSON body shown in a message."""
_FIELD_LIMIT = 500
_MAX_LISTED_ERRORS = 5
_MIN_SECRET_LENGTH = 8
_REQUEST_ID_HEADERS = (
    "x-request-id",
    "request-id",
    "x-correlation-id",
    "x-amzn-requestid",
    "x-amz-request-id",
    "cf-ray",
)

_HTML_START = re.compile(r"\s*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
_HTML_SKIP = re.compile(r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]*>")


# --------------------------------------------------------------------------- helpers


class _Unset(enum.Enum):
    UNSET = enum.auto()


_UNSET = _Unset.UNSET


def _one_line(text: str) -> str:
    """Collapse every run of whitespace (newlines included) into one space."""
    return " ".join(text.split())


def _clip(text: str, limit: int) -> str:
    text = _one_line(text)
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _compact_json(value: object) -> str:
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _text_snippet(text: str) -> str:
    return _clip(text, SNIPPET_LIMIT)


def _html_snippet(text: str) -> str:
    stripped = _HTML_TAG.sub(" ", _HTML_SKIP.sub(" ", text))
    snippet = _clip(html.unescape(stripped), SNIPPET_LIMIT)
    return snippet or _text_snippet(text)


def _looks_like_html(text: str, content_type: str) -> bool:
    return "html" in content_type.lower() or _HTML_START.match(text) is not None


def _request_of(response: httpx.Response) -> httpx.Request | None:
    try:
        return response.request
    except RuntimeError:  # a Response built by hand has no request
        return None


def _secrets_of(request: httpx.Request | None) -> list[str]:
    """Values of the request's credential headers, longest first."""
    if request is None:
        return []
    found: set[str] = set()
    for name, value in request.headers.items():
        if not is_sensitive_header(name):
            continue
        found.add(value.strip())
        scheme, _, token = value.strip().partition(" ")
        if token and scheme.isalpha():  # "Bearer <token>"
            found.add(token.strip())
    return sorted((s for s in found if len(s) >= _MIN_SECRET_LENGTH), key=len, reverse=True)


def _scrub(text: str, request: httpx.Request | None) -> str:
    """Replace credentials the request carried (a server may echo one) by <redacted>."""
    for secret in _secrets_of(request):
        text = text.replace(secret, "<redacted>")
    return text


def _str_or_none(value: object) -> str | None:
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    return None


def _first_str(data: Mapping[str, object], *keys: str) -> str | None:
    for key in keys:
        value = _str_or_none(data.get(key))
        if value is not None:
            return value
    return None


def _number_or_none(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


# ----------------------------------------------------------------------- error detail


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One item of an error's ``errors`` list.

    Reply.io sends ``{pointer, detail}`` (``pointer`` is an RFC 6901 JSON Pointer, or
    the bare name of a query/path parameter); Reloop sends ``{field, message}``
    (``message`` lands in ``detail``) or plain strings (only ``detail`` set).
    """

    pointer: str | None = None
    field: str | None = None
    detail: str | None = None

    @property
    def location(self) -> str | None:
        """``pointer`` or ``field``; None when the error is about the whole body."""
        return self.pointer or self.field or None

    def __str__(self) -> str:
        location, detail = self.location, self.detail
        if location and detail:
            return f"{location}: {detail}"
        return detail or location or ""


def _parse_error_items(raw: object) -> list[ErrorDetail]:
    if isinstance(raw, str):
        return [ErrorDetail(detail=raw)] if raw.strip() else []
    if isinstance(raw, Mapping):
        # {"name": ["is required"]}: the ASP.NET / Rails shape some gateways send.
        mapped: list[ErrorDetail] = []
        for key, value in raw.items():
            messages = value if isinstance(value, list) else [value]
            for message in messages:
                text = message if isinstance(message, str) else _compact_json(message)
                mapped.append(ErrorDetail(field=str(key), detail=text))
        return mapped
    if not isinstance(raw, list):
        return []
    items: list[ErrorDetail] = []
    for item in raw:
        if isinstance(item, str):
            if item.strip():
                items.append(ErrorDetail(detail=item))
        elif isinstance(item, Mapping):
            pointer = item.get("pointer")
            detail = _first_str(item, "detail", "message", "msg", "error", "description", "reason")
            items.append(
                ErrorDetail(
                    pointer=pointer if isinstance(pointer, str) else None,
                    field=_first_str(item, "field", "path", "param", "property", "name"),
                    detail=detail if detail is not None else _compact_json(item),
                )
            )
        elif item is not None:
            items.append(ErrorDetail(detail=_compact_json(item)))
    return items


def _errors_text(errors: Sequence[ErrorDetail]) -> str:
    shown = "; ".join(s for s in (str(e) for e in errors[:_MAX_LISTED_ERRORS]) if s)
    hidden = len(errors) - _MAX_LISTED_ERRORS
    if hidden > 0:
        shown = f"{shown}; and {hidden} more"
    return shown


# ------------------------------------------------------------------------- hierarchy


class APIError(Exception):
    """Base of every error the client raises."""

    message: str
    request: httpx.Request | None
    not_retried_reason: str | None
    """Set when the client chose not to retry because the request may have been
    applied (say, a POST that timed out after it was sent); ``str()`` shows it."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        message = _one_line(_scrub(message, request))
        super().__init__(message)
        self.message = message
        self.request = request
        self.not_retried_reason = None

    def _summary(self) -> str:
        return self.message

    def __str__(self) -> str:
        line = self._summary()
        if self.not_retried_reason:
            line = f"{line} ({self.not_retried_reason})"
        return _one_line(_scrub(line, self.request))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(message={self.message!r})"


class APIConnectionError(APIError):
    """The request could not be completed: no HTTP response was received."""

    def __init__(
        self,
        message: str = "Connection error.",
        *,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read, write, or waiting for a connection)."""

    def __init__(
        self,
        message: str = "Request timed out.",
        *,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message, request=request)


class APIResponseValidationError(APIError):
    """A successful response whose body is not JSON or not of the declared type."""

    response: httpx.Response
    status_code: int
    headers: httpx.Headers
    body: object

    def __init__(
        self,
        message: str = "The response body does not match the declared type.",
        *,
        response: httpx.Response,
        body: object = None,
    ) -> None:
        super().__init__(message, request=_request_of(response))
        self.response = response
        self.status_code = response.status_code
        self.headers = response.headers
        self.body = body

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code}, message={self.message!r})"


class WebhookVerificationError(APIError):
    """A webhook payload failed signature verification."""

    def __init__(self, message: str) -> None:
        super().__init__(message, request=None)


class APIStatusError(APIError):
    """The API answered with an error status (4xx/5xx).

    ``message`` is the best human-readable text in the body (or a snippet of a
    non-JSON body, or the reason phrase when the body is empty). The other fields are
    those of both envelopes and stay None (``errors`` empty) when the body does not
    carry them.
    """

    status_code: int
    headers: httpx.Headers
    body: object
    response: httpx.Response
    request_id: str | None
    envelope: Envelope
    why: str | None
    fix: str | None
    link: str | None
    retry_after_body: float | None
    title: str | None
    detail: str | None
    code: str | None
    errors: list[ErrorDetail]
    retry_after: float | None
    """Seconds to wait before retrying, from ``Retry-After`` / ``retry-after-ms`` or the
    body's ``retryAfter``; None when the server gave no hint."""

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object = None,
        envelope: Envelope = "generic",
        why: str | None = None,
        fix: str | None = None,
        link: str | None = None,
        retry_after_body: float | None = None,
        title: str | None = None,
        detail: str | None = None,
        code: str | None = None,
        errors: Sequence[ErrorDetail] = (),
        retry_after: float | _Unset | None = _UNSET,
        body_kind: BodyKind = "json",
    ) -> None:
        super().__init__(message, request=_request_of(response))
        self.status_code = response.status_code
        self.headers = response.headers
        self.body = body
        self.response = response
        self.envelope = envelope
        self.request_id = next(
            (response.headers[name] for name in _REQUEST_ID_HEADERS if name in response.headers),
            None,
        )
        self.why = why
        self.fix = fix
        self.link = link
        self.retry_after_body = retry_after_body
        self.title = title
        self.detail = detail
        self.code = code
        self.errors = list(errors)
        self.retry_after = (
            parse_retry_after(response.headers, body, now=time.time())
            if isinstance(retry_after, _Unset)
            else retry_after
        )
        self._body_kind: BodyKind = body_kind

    @property
    def reason_phrase(self) -> str:
        return httpx.codes.get_reason_phrase(self.status_code) or (self.response.reason_phrase or "")

    def _headline(self, reason: str) -> tuple[str, str]:
        if self._body_kind != "json":
            return (self.message if self._body_kind != "empty" else ""), ""
        if self.envelope == "problem":
            headline = self.title or self.detail or self.message
        else:
            headline = self.message
        pieces = [self.why] if self.why else []
        errors_text = _errors_text(self.errors)
        if errors_text:
            if errors_text != headline:
                pieces.append(errors_text)
        elif self.detail and self.detail != headline:
            pieces.append(self.detail)
        elaboration = " — ".join(_clip(p, _FIELD_LIMIT) for p in pieces)
        if headline.lower() == reason.lower():
            # "404 Not Found: Not Found" says nothing twice.
            headline, elaboration = elaboration, ""
        return _clip(headline, _FIELD_LIMIT), elaboration

    def _extras(self) -> list[str]:
        extras: list[str] = []
        if self._body_kind == "empty":
            extras.append("empty response body")
            challenge = self.headers.get("www-authenticate")
            if self.status_code == 401 and challenge:
                extras.append(f"WWW-Authenticate: {_clip(challenge, 100)}")
        elif self._body_kind == "html":
            extras.append("HTML response")
        if self.fix:
            extras.append(f"fix: {_clip(self.fix, _FIELD_LIMIT)}")
        if self.link:
            extras.append(f"see {_clip(self.link, _FIELD_LIMIT)}")
        if isinstance(self, RateLimitError) and self.retry_after is not None:
            extras.append(f"retry after {self.retry_after:g} s")
        if self.request_id:
            extras.append(f"request id: {_clip(self.request_id, 100)}")
        return extras

    def _summary(self) -> str:
        reason = self.reason_phrase
        line = f"{self.status_code} {self.code or reason}".rstrip()
        headline, elaboration = self._headline(reason)
        if headline:
            line = f"{line}: {headline}"
        if elaboration:
            line = f"{line} — {elaboration}"
        for extra in self._extras():
            line = f"{line} ({extra})"
        return line

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code}, message={self.message!r})"


class BadRequestError(APIStatusError):
    """400"""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, malformed or revoked."""


class PaymentRequiredError(APIStatusError):
    """402: a plan quota is exhausted (Reloop sending credits / daily cap)."""


class PermissionDeniedError(APIStatusError):
    """403"""


class NotFoundError(APIStatusError):
    """404"""


class ConflictError(APIStatusError):
    """409"""


class RequestTooLargeError(APIStatusError):
    """413"""


class UnprocessableEntityError(APIStatusError):
    """422"""


class RateLimitError(APIStatusError):
    """429: see ``retry_after``."""


class RateLimitWaitError(RateLimitError):
    """Raised before sending when a call would have to wait longer than its ``max_wait`` for a
    server hold (an earlier 429 or ``Remaining: 0``) or a client-side rate-limit window.

    Nothing was sent and no response was received: ``retry_after`` says how long the wait would
    have been, ``group`` which rate-limit group it was for; ``response`` and ``status_code``
    raise AttributeError, ``headers`` is empty and ``body`` None.
    """

    group: str | None
    waited: float
    max_wait: float

    def __init__(self, *, retry_after: float, group: str | None, reason: str, waited: float, max_wait: float) -> None:
        scope = "all operations" if group is None else f"group {group!r}"
        message = (
            f"rate limit: a wait of {retry_after:.3g}s for {scope} ({reason or 'rate limit'}) would exceed "
            f"max_wait={max_wait:g}s; the request was not sent"
        )
        APIError.__init__(self, message, request=None)
        self.retry_after = retry_after
        self.group = group
        self.waited = waited
        self.max_wait = max_wait
        self.headers = httpx.Headers()
        self.body = None
        self.request_id = None
        self.envelope = "generic"
        self.why = self.fix = self.link = self.title = self.detail = self.code = None
        self.retry_after_body = None
        self.errors = []

    if not TYPE_CHECKING:  # at run time only: type checkers keep seeing the declared attributes

        def __getattr__(self, name: str) -> object:
            if name in ("response", "status_code"):
                raise AttributeError(f"{type(self).__name__} has no {name}: the wait was refused before sending")
            raise AttributeError(name)

    def _summary(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(retry_after={self.retry_after!r}, group={self.group!r})"


class InternalServerError(APIStatusError):
    """Any status >= 500."""


class BadGatewayError(InternalServerError):
    """502"""


class ServiceUnavailableError(InternalServerError):
    """503"""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: RequestTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    502: BadGatewayError,
    503: ServiceUnavailableError,
}

_E = TypeVar("_E", bound=APIError)


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The class for ``status_code``: exact match, else 5xx -> InternalServerError."""
    cls = _STATUS_CLASSES.get(status_code)
    if cls is not None:
        return cls
    if status_code >= 500:
        return InternalServerError
    return APIStatusError


def with_not_retried_note(err: _E, reason: str) -> _E:
    """Record why the client did not retry (``str(err)`` then says so); returns ``err``.

    Used when a non-idempotent request failed in a way that means it may have been
    applied, e.g. ``"not retried: POST may have been applied (read timeout ...)"``.
    """
    err.not_retried_reason = _one_line(reason) or None
    return err


# ----------------------------------------------------------------------- body parsing


def _read_body(response: httpx.Response) -> tuple[object, BodyKind]:
    try:
        content = response.content
    except httpx.ResponseNotRead:
        return None, "empty"
    if not content.strip():
        return None, "empty"
    text = response.text
    try:
        return json.loads(text), "json"
    except (ValueError, RecursionError):
        pass
    content_type = response.headers.get("content-type", "")
    return text, ("html" if _looks_like_html(text, content_type) else "text")


def make_status_error(
    response: httpx.Response,
    *,
    envelope: Envelope,
    now: float | None = None,
) -> APIStatusError:
    """Build the error for an error ``response``; never raises on a malformed body.

    ``envelope`` says which body shape the API documents and so which field leads the
    message: ``reloop`` (``message`` + ``why``/``fix``/``link``), ``problem`` (RFC 9457
    ``title``/``detail``/``code``/``errors``) or ``generic``. Fields of the other shape
    are parsed too when present. ``now`` (epoch seconds) resolves an HTTP-date
    ``Retry-After``; it defaults to the current time.
    """
    cls = status_error_class(response.status_code)
    body, kind = _read_body(response)
    reason = httpx.codes.get_reason_phrase(response.status_code)
    fallback = reason or f"HTTP {response.status_code}"
    retry_after = parse_retry_after(response.headers, body, now=time.time() if now is None else now)

    if kind == "empty":
        return cls(
            fallback,
            response=response,
            envelope=envelope,
            retry_after=retry_after,
            body_kind="empty",
        )
    if kind in ("html", "text"):
        text = body if isinstance(body, str) else ""
        snippet = _html_snippet(text) if kind == "html" else _text_snippet(text)
        return cls(
            snippet,
            response=response,
            body=body,
            envelope=envelope,
            retry_after=retry_after,
            body_kind=kind,
        )

    if isinstance(body, str):  # a JSON string
        return cls(
            _clip(body, _FIELD_LIMIT) or fallback,
            response=response,
            body=body,
            envelope=envelope,
            retry_after=retry_after,
        )
    if isinstance(body, list):
        errors = _parse_error_items(body)
        return cls(
            _errors_text(errors) or _clip(_compact_json(body), SNIPPET_LIMIT),
            response=response,
            body=body,
            envelope=envelope,
            errors=errors,
            retry_after=retry_after,
        )
    if not isinstance(body, dict):  # null, a number, true/false
        return cls(
            fallback if body is None else _compact_json(body),
            response=response,
            body=body,
            envelope=envelope,
            retry_after=retry_after,
        )

    data: Mapping[str, object] = body
    nested = data.get("error")
    inner: Mapping[str, object] = nested if isinstance(nested, dict) else {}
    # Reloop's webhook service nests why/fix/link under "data".
    extra = data.get("data")
    side: Mapping[str, object] = extra if isinstance(extra, dict) else {}

    title = _first_str(data, "title")
    detail = _first_str(data, "detail")
    code = _first_str(data, "code") or _first_str(inner, "code")
    raw_errors = data.get("errors")
    if raw_errors is None:
        raw_errors = inner.get("errors", inner.get("details"))
    errors = _parse_error_items(raw_errors)
    body_message = (
        _first_str(data, "message")
        or _first_str(inner, "message")
        or _first_str(data, "error_description", "error", "msg")
    )

    if envelope == "problem":
        message = detail or title or body_message
    else:
        message = body_message or detail or title
    if message is None:
        message = _errors_text(errors) or _clip(_compact_json(body), SNIPPET_LIMIT)

    return cls(
        message,
        response=response,
        body=body,
        envelope=envelope,
        why=_first_str(data, "why") or _first_str(side, "why"),
        fix=_first_str(data, "fix") or _first_str(side, "fix"),
        link=_first_str(data, "link") or _first_str(side, "link"),
        retry_after_body=_number_or_none(data.get("retryAfter")),
        title=title,
        detail=detail,
        code=code,
        errors=errors,
        retry_after=retry_after,
    )
