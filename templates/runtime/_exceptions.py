"""The exception tree shared by every generated client, and the status -> error mapping.

``make_status_error`` turns any error response into the right ``APIStatusError`` subclass and
parses whatever body came back (``_error_body``: the API's envelope as its ``x-sdk`` declares it,
RFC 9457 problem details, bare strings, HTML pages from a proxy, nothing at all) without ever
failing itself. ``str(error)`` is one informative line; request headers (and so the API key)
never appear in it.
"""

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

import httpx

from ._config import ErrorEnvelope
from ._constants import CONFIG, ErrorFields
from ._error_body import BodyKind, ErrorDetail, parse_error_response
from ._error_summary import status_summary
from ._error_text import one_line, request_of, scrub
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

Envelope = ErrorEnvelope
"""How the API's error bodies look (``x-sdk.error_envelope``); ``CONFIG.error_envelope`` is this API's."""
DEFAULT_ENVELOPE = CONFIG.error_envelope
_REQUEST_ID_HEADERS = (
    "x-request-id",
    "request-id",
    "x-correlation-id",
    "x-amzn-requestid",
    "x-amz-request-id",
    "cf-ray",
)


class _Unset:
    """Marks ``retry_after`` not given: it is then read from the response."""


_UNSET = _Unset()


class APIError(Exception):
    """Base of every error the client raises."""

    message: str
    request: httpx.Request | None
    not_retried_reason: str | None
    """Set when the client chose not to retry because the request may have been
    applied (say, a POST that timed out after it was sent); ``str()`` shows it."""

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        message = one_line(scrub(message, request))
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
        return one_line(scrub(line, self.request))

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
        super().__init__(message, request=request_of(response))
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


class APIStatusError(ErrorFields, APIError):
    """The API answered with an error status (4xx/5xx).

    ``message`` is the best human-readable text in the body (or a snippet of a non-JSON body, or
    the reason phrase when the body is empty). ``title``, ``detail``, ``code`` and ``errors`` are
    those of RFC 9457 problem details and the common shapes; the fields of the API's own envelope
    (``ErrorFields``, from its ``x-sdk.error_envelope``) are attributes too. Each stays None
    (``errors`` empty) when the body does not carry it.
    """

    status_code: int
    headers: httpx.Headers
    body: object
    response: httpx.Response
    request_id: str | None
    envelope: Envelope
    retry_after_body: float | None
    """Seconds to wait from the body field the envelope names (``retry_after_field``)."""
    title: str | None
    detail: str | None
    code: str | None
    errors: list[ErrorDetail]
    retry_after: float | None
    """Seconds to wait before retrying, from ``Retry-After`` / ``retry-after-ms`` or the
    body field the envelope names; None when the server gave no hint."""

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object = None,
        envelope: Envelope = DEFAULT_ENVELOPE,
        retry_after_body: float | None = None,
        title: str | None = None,
        detail: str | None = None,
        code: str | None = None,
        errors: Sequence[ErrorDetail] = (),
        retry_after: float | _Unset | None = _UNSET,
        body_kind: BodyKind = "json",
        **fields: str | None,
    ) -> None:
        super().__init__(message, request=request_of(response))
        self.status_code = response.status_code
        self.headers = response.headers
        self.body = body
        self.response = response
        self.envelope = envelope
        self.request_id = next(
            (response.headers[name] for name in _REQUEST_ID_HEADERS if name in response.headers),
            None,
        )
        _set_fields(self, envelope, fields)
        self.retry_after_body = retry_after_body
        self.title = title
        self.detail = detail
        self.code = code
        self.errors = list(errors)
        self.retry_after = (
            parse_retry_after(response.headers, body, now=time.time(), body_field=envelope.retry_after_field)
            if isinstance(retry_after, _Unset)
            else retry_after
        )
        self._body_kind: BodyKind = body_kind

    @property
    def reason_phrase(self) -> str:
        return httpx.codes.get_reason_phrase(self.status_code) or (self.response.reason_phrase or "")

    def _summary(self) -> str:
        return status_summary(self, self._body_kind, show_retry_after=isinstance(self, RateLimitError))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code}, message={self.message!r})"


def _set_fields(error: APIStatusError, envelope: Envelope, given: dict[str, str | None]) -> None:
    """The envelope's own fields as attributes (None when not given); others are a mistake."""
    unknown = sorted(set(given) - envelope.field_names())
    if unknown:
        raise TypeError(f"{type(error).__name__} got unexpected keyword argument(s): {', '.join(unknown)}")
    for f in envelope.fields:
        setattr(error, f.name, given.get(f.name))


class BadRequestError(APIStatusError):
    """400"""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, malformed or revoked."""


class PaymentRequiredError(APIStatusError):
    """402: payment required, typically a plan quota or prepaid credit used up."""


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
        self.envelope = DEFAULT_ENVELOPE
        _set_fields(self, DEFAULT_ENVELOPE, {})
        self.title = self.detail = self.code = None
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
    err.not_retried_reason = one_line(reason) or None
    return err


def make_status_error(
    response: httpx.Response,
    *,
    envelope: Envelope = DEFAULT_ENVELOPE,
    now: float | None = None,
) -> APIStatusError:
    """Build the error for an error ``response``; never raises on a malformed body.

    ``envelope`` says which body shape the API documents (this package's API by default), and so
    which field leads the message and which fields of its own the error carries. Fields of the
    common shapes are parsed too when present. ``now`` (epoch seconds) resolves an HTTP-date
    ``Retry-After`` of a response without a ``Date`` header; it defaults to the current time.
    """
    parsed = parse_error_response(response, envelope, now=time.time() if now is None else now)
    return status_error_class(response.status_code)(
        parsed.message,
        response=response,
        body=parsed.body,
        envelope=envelope,
        title=parsed.title,
        detail=parsed.detail,
        code=parsed.code,
        errors=parsed.errors,
        retry_after_body=parsed.retry_after_body,
        retry_after=parsed.retry_after,
        body_kind=parsed.kind,
        **parsed.fields,
    )
