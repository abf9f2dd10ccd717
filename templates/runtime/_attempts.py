"""What the client does after each attempt: wait and retry, or raise the typed error.

The decision itself is `_retry.decide_retry`'s (a pure function); this mixin of the base client
feeds it, logs it, and turns a final failure into the error the caller sees.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx

from ._config import ClientConfig
from ._exceptions import APIConnectionError, APIStatusError, APITimeoutError, make_status_error
from ._retry import NOT_SENT_ERRORS, TransportErrorKind, decide_retry, parse_retry_after

TransportFailure = TransportErrorKind


def classify_transport_error(exc: httpx.TransportError) -> TransportFailure:
    if isinstance(exc, httpx.ConnectTimeout):
        return "timeout_connect"
    if isinstance(exc, httpx.PoolTimeout):
        return "timeout_pool"
    if isinstance(exc, httpx.ReadTimeout):
        return "timeout_read"
    if isinstance(exc, httpx.WriteTimeout):
        return "timeout_write"
    if isinstance(exc, httpx.ConnectError):
        return "connect"
    return "disconnected"


def never_sent(exc: httpx.TransportError) -> bool:
    """The request never left the client (no connection, or none free in time)."""
    return classify_transport_error(exc) in NOT_SENT_ERRORS


class AttemptOutcomes:
    """Retry handling of the base client, which provides these settings."""

    _config: ClientConfig
    max_retries: int
    _logger: logging.Logger
    _rng: Callable[[], float]
    _wall_clock: Callable[[], float]

    def _status_error(self, response: httpx.Response, note: str | None) -> APIStatusError:
        error = make_status_error(response, envelope=self._config.error_envelope)
        if note:
            error.not_retried_reason = note
        return error

    def _transport_error(
        self, exc: httpx.TransportError, request: httpx.Request, note: str | None
    ) -> APIConnectionError:
        cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        what = "timed out" if cls is APITimeoutError else "failed"
        cause = " ".join(str(exc).split()) or type(exc).__name__
        message = f"{request.method} {request.url.copy_with(query=None)} {what}: {cause}"
        if note:
            message += f" ({note})"
        return cls(message, request=request)

    def _delay_after_failure(
        self, exc: httpx.TransportError, request: httpx.Request, attempt: int, budget_left: float
    ) -> float:
        """Seconds to wait before the next attempt; raises when the failure is final or the wait
        would take the call past its max_wait."""
        decision = decide_retry(
            method=request.method,
            attempt=attempt,
            max_retries=self.max_retries,
            status_code=None,
            error=classify_transport_error(exc),
            retry_after=None,
            rng=self._rng,
        )
        if not decision.retry:
            note = decision.reason if decision.may_have_been_applied else None
            raise self._transport_error(exc, request, note) from exc
        if decision.delay > budget_left:
            note = f"not retried: the {decision.delay:.3g}s backoff would exceed max_wait"
            raise self._transport_error(exc, request, note) from exc
        self._logger.debug("retrying in %.2fs: %s", decision.delay, decision.reason)
        return decision.delay

    def _delay_after_response(self, response: httpx.Response, attempt: int, budget_left: float) -> float | None:
        """None when the response is the answer, else seconds to wait before retrying; raises
        the typed error when the failure is final or the wait would exceed the call's max_wait."""
        if self._logger.isEnabledFor(logging.DEBUG):  # url.path costs a parse per request
            self._logger.debug(
                "response %s %s -> %d", response.request.method, response.request.url.path, response.status_code
            )
        if response.status_code < 400:
            return None
        decision = decide_retry(
            method=response.request.method,
            attempt=attempt,
            max_retries=self.max_retries,
            status_code=response.status_code,
            error=None,
            retry_after=self._retry_after(response),
            rng=self._rng,
        )
        if not decision.retry:
            raise self._status_error(response, decision.reason if decision.may_have_been_applied else None)
        if decision.delay > budget_left:
            raise self._status_error(response, f"not retried: waiting {decision.delay:.3g}s would exceed max_wait")
        self._logger.debug("retrying in %.2fs: %s", decision.delay, decision.reason)
        return decision.delay

    def _retry_after(self, response: httpx.Response) -> float | None:
        body: object = None
        field = self._config.error_envelope.retry_after_field
        if field is not None and response.status_code == 429:  # the body is read only where it helps
            try:
                body = response.json()
            except ValueError:
                body = None
        return parse_retry_after(response.headers, body, now=self._wall_clock(), body_field=field)
