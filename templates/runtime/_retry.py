"""Retry policy as pure functions: no clock, no sleep, no randomness of its own.

The base client asks ``decide_retry`` after every failed attempt and sleeps for the
returned delay itself. ``parse_retry_after`` turns the server's hints into seconds; it is the
only reader of ``Retry-After`` in the runtime (errors and rate-limit holds use it too), and
``IDEMPOTENT_METHODS`` the only list of methods safe to resend.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Literal

__all__ = [
    "IDEMPOTENT_METHODS",
    "INITIAL_BACKOFF",
    "MAX_BACKOFF",
    "MAX_RETRY_AFTER",
    "NOT_SENT_ERRORS",
    "RetryDecision",
    "TransportErrorKind",
    "backoff_delay",
    "decide_retry",
    "parse_http_date",
    "parse_retry_after",
]

TransportErrorKind = Literal[
    "connect",
    "timeout_connect",
    "timeout_read",
    "timeout_write",
    "timeout_pool",
    "disconnected",
]

# RFC 9110, section 9.2.2: repeating one of these has the effect of sending it once.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})

INITIAL_BACKOFF = 0.5
"""Seconds before the first retry when the server gives no hint."""
MAX_BACKOFF = 8.0
"""Cap of the exponential backoff, in seconds."""
JITTER = 0.25
"""The backoff is multiplied by ``1 - JITTER * rng()``, so it lies in (75 %, 100 %]."""
MAX_RETRY_AFTER = 60.0
"""A server asking for a longer wait than this is not retried: the error is raised."""

# The request never left the client: safe to retry whatever the method.
_NOT_SENT_ERRORS: dict[str, str] = {
    "connect": "connection failed",
    "timeout_connect": "connect timeout",
    "timeout_pool": "connection pool timeout",
}
NOT_SENT_ERRORS = frozenset(_NOT_SENT_ERRORS)
# The request was (possibly) sent: only idempotent methods are retried.
_SENT_ERRORS: dict[str, str] = {
    "timeout_read": "read timeout",
    "timeout_write": "write timeout",
    "disconnected": "server disconnected",
}
# The server says it did not process the request: retry whatever the method.
_ANY_METHOD_STATUSES = frozenset({429, 503})
# The request may have been processed: only idempotent methods are retried.
_IDEMPOTENT_ONLY_STATUSES = frozenset({408, 500, 502, 504})

_STATUS_NAMES: dict[int, str] = {
    408: "Request Timeout",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass(frozen=True, slots=True)
class RetryDecision:
    """What to do after a failed attempt.

    ``reason`` is a short human sentence. Only when ``retry`` is False because the
    request may already have been applied does it start with ``"not retried: <METHOD>
    may have been applied"``; ``may_have_been_applied`` is then True, and the caller
    should attach ``reason`` to the error it raises (``with_not_retried_note``). Other
    reasons (not retryable, retries exhausted, Retry-After too long) are for logs.
    """

    retry: bool
    delay: float
    reason: str
    may_have_been_applied: bool = False


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is not None:
        return value
    # Plain dicts are case-sensitive; httpx.Headers already matched above.
    for key, candidate in headers.items():
        if key.lower() == name:
            return candidate
    return None


def _finite_non_negative(value: float) -> float | None:
    if math.isnan(value) or math.isinf(value) or value < 0:
        return None
    return value


def _parse_seconds(text: str) -> float | None:
    try:
        return _finite_non_negative(float(text.strip()))
    except ValueError:
        return None


def parse_http_date(text: str) -> float | None:
    """An HTTP date (RFC 9110: ``Wed, 21 Oct 2015 07:28:00 GMT``) as epoch seconds, or None."""
    try:
        when = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:  # "-0000" zone: UTC by convention
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def parse_retry_after(
    headers: Mapping[str, str],
    body: object = None,
    *,
    now: float,
    body_field: str | None = None,
) -> float | None:
    """Seconds the server asks the client to wait, or None when it gives no usable hint.

    The one reading of a server's wait hint, for retries, errors and rate-limit holds alike.
    Sources, first usable one wins:

    1. ``retry-after-ms`` header (milliseconds, as some gateways send);
    2. ``Retry-After`` header: delta-seconds (decimals tolerated) or an HTTP date, floored at 0.
       The date is read against the response's ``Date`` header when it has one (so a server
       clock that differs from ours does not shift the wait), else against ``now`` (epoch
       seconds);
    3. ``body_field`` of a JSON object body, in seconds (APIs that put the hint in the body
       name the field in their ``x-sdk.error_envelope.retry_after_field``).

    Negative, non-finite or unparsable values are ignored.
    """
    ms = _header(headers, "retry-after-ms")
    if ms is not None:
        parsed = _parse_seconds(ms)
        if parsed is not None:
            return parsed / 1000.0

    value = _header(headers, "retry-after")
    if value is not None:
        seconds = _parse_seconds(value)
        if seconds is not None:
            return seconds
        when = parse_http_date(value)
        if when is not None:
            date = _header(headers, "date")
            server_now = parse_http_date(date) if date is not None else None
            return max(0.0, when - (now if server_now is None else server_now))

    if body_field is not None and isinstance(body, Mapping):
        raw = body.get(body_field)
        if isinstance(raw, bool):
            return None
        if isinstance(raw, int | float):
            return _finite_non_negative(float(raw))
        if isinstance(raw, str):
            return _parse_seconds(raw)
    return None


def backoff_delay(attempt: int, rng: Callable[[], float]) -> float:
    """Exponential backoff for the retry after failed attempt ``attempt`` (0-based).

    0.5 s, 1 s, 2 s, 4 s, 8 s, 8 s, ... each multiplied by ``1 - 0.25 * rng()``.
    """
    base = min(INITIAL_BACKOFF * (2.0 ** max(attempt, 0)), MAX_BACKOFF)
    return base * (1.0 - JITTER * rng())


def _status_label(status_code: int) -> str:
    name = _STATUS_NAMES.get(status_code)
    return f"{status_code} {name}" if name else str(status_code)


def decide_retry(
    *,
    method: str,
    attempt: int,
    max_retries: int,
    status_code: int | None,
    error: TransportErrorKind | None,
    retry_after: float | None,
    rng: Callable[[], float],
) -> RetryDecision:
    """Decide whether to retry after a failed attempt, and after how long.

    ``attempt`` is the 0-based index of the attempt that just failed (which is also the
    number of retries already made); a retry happens only while ``attempt <
    max_retries``. Pass either ``error`` (a transport failure, no response) or
    ``status_code`` (the response's status). ``retry_after`` is the server's hint in
    seconds (see ``parse_retry_after``); ``rng`` returns a float in [0, 1) for jitter.
    """
    verb = method.upper()
    idempotent = verb in IDEMPOTENT_METHODS

    if error is not None:
        if error in _NOT_SENT_ERRORS:
            what = f"{_NOT_SENT_ERRORS[error]} (request not sent)"
        else:
            what = _SENT_ERRORS.get(error, error)
            if not idempotent:
                return RetryDecision(
                    retry=False,
                    delay=0.0,
                    reason=(f"not retried: {verb} may have been applied ({what} after the request was sent)"),
                    may_have_been_applied=True,
                )
    elif status_code is not None:
        what = _status_label(status_code)
        if status_code in _ANY_METHOD_STATUSES:
            pass
        elif status_code in _IDEMPOTENT_ONLY_STATUSES:
            if not idempotent:
                return RetryDecision(
                    retry=False,
                    delay=0.0,
                    reason=(f"not retried: {verb} may have been applied (the server answered {what})"),
                    may_have_been_applied=True,
                )
        else:
            return RetryDecision(retry=False, delay=0.0, reason=f"{what} is not retryable")
    else:
        return RetryDecision(retry=False, delay=0.0, reason="no retry needed: the request succeeded")

    if attempt >= max_retries:
        return RetryDecision(
            retry=False,
            delay=0.0,
            reason=f"{what}: retries exhausted ({max_retries} allowed)",
        )

    if retry_after is not None and not (math.isnan(retry_after) or math.isinf(retry_after) or retry_after < 0):
        if retry_after > MAX_RETRY_AFTER:
            return RetryDecision(
                retry=False,
                delay=0.0,
                reason=(
                    f"{what}: the server asked to wait {retry_after:g} s, longer than"
                    f" the {MAX_RETRY_AFTER:g} s limit for automatic retries"
                ),
            )
        delay = retry_after
        source = "Retry-After"
    else:
        delay = backoff_delay(attempt, rng)
        source = "backoff"

    return RetryDecision(
        retry=True,
        delay=delay,
        reason=(f"retrying after {what} in {delay:.3g} s ({source}; retry {attempt + 1} of {max_retries})"),
    )
