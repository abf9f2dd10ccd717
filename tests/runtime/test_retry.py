"""Retry decisions and Retry-After parsing (pure functions, no clock, no sleep)."""

import dataclasses
import importlib
from types import ModuleType
from typing import Any

import httpx
import pytest

PACKAGES = ("reloop", "replyio")
NOW = 1_445_412_450.0  # 30 s before Wed, 21 Oct 2015 07:28:00 GMT


@pytest.fixture(params=PACKAGES)
def retry(request: pytest.FixtureRequest) -> ModuleType:
    return importlib.import_module(f"{request.param}._retry")


def zero() -> float:
    return 0.0


def decide(retry: ModuleType, **overrides: Any) -> Any:
    kwargs: dict[str, Any] = {
        "method": "GET",
        "attempt": 0,
        "max_retries": 2,
        "status_code": None,
        "error": None,
        "retry_after": None,
        "rng": zero,
    }
    kwargs.update(overrides)
    return retry.decide_retry(**kwargs)


# -------------------------------------------------------------------- parse_retry_after


def test_retry_after_seconds(retry: ModuleType) -> None:
    assert retry.parse_retry_after({"Retry-After": "5"}, now=NOW) == 5.0


def test_retry_after_decimal_seconds(retry: ModuleType) -> None:
    assert retry.parse_retry_after({"retry-after": " 1.5 "}, now=NOW) == 1.5


def test_retry_after_zero(retry: ModuleType) -> None:
    assert retry.parse_retry_after({"retry-after": "0"}, now=NOW) == 0.0


def test_retry_after_http_date(retry: ModuleType) -> None:
    headers = httpx.Headers({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert retry.parse_retry_after(headers, now=NOW) == 30.0


def test_retry_after_http_date_in_the_past(retry: ModuleType) -> None:
    headers = {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}
    assert retry.parse_retry_after(headers, now=NOW + 100) == 0.0


def test_retry_after_ms(retry: ModuleType) -> None:
    headers = {"retry-after-ms": "250", "retry-after": "1"}
    assert retry.parse_retry_after(headers, now=NOW) == 0.25


def test_retry_after_http_date_read_against_the_servers_date(retry: ModuleType) -> None:
    # The server's clock runs 100 s behind ours: its Date header, not our clock, is the reference.
    headers = {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT", "Date": "Wed, 21 Oct 2015 07:27:50 GMT"}
    assert retry.parse_retry_after(headers, now=NOW + 100) == 10.0


def test_retry_after_body(retry: ModuleType) -> None:
    assert retry.parse_retry_after({}, {"retryAfter": 7}, now=NOW, body_field="retryAfter") == 7.0


def test_retry_after_body_string(retry: ModuleType) -> None:
    assert retry.parse_retry_after({}, {"wait": "7"}, now=NOW, body_field="wait") == 7.0


def test_retry_after_body_only_in_the_field_named(retry: ModuleType) -> None:
    assert retry.parse_retry_after({}, {"retryAfter": 7}, now=NOW) is None
    assert retry.parse_retry_after({}, {"retryAfter": 7}, now=NOW, body_field="wait") is None


def test_retry_after_header_beats_body(retry: ModuleType) -> None:
    assert retry.parse_retry_after({"Retry-After": "3"}, {"retryAfter": 9}, now=NOW, body_field="retryAfter") == 3.0


def test_retry_after_unparsable_header_falls_back_to_body(retry: ModuleType) -> None:
    headers = {"Retry-After": "soon"}
    assert retry.parse_retry_after(headers, {"retryAfter": 4}, now=NOW, body_field="retryAfter") == 4.0
    assert retry.parse_retry_after(headers, now=NOW) is None


@pytest.mark.parametrize("value", ["-1", "nan", "inf", ""])
def test_retry_after_invalid_values(retry: ModuleType, value: str) -> None:
    assert retry.parse_retry_after({"Retry-After": value}, now=NOW) is None


@pytest.mark.parametrize("body", [None, "text", [1], {"retryAfter": True}, {"x": 1}])
def test_retry_after_absent(retry: ModuleType, body: object) -> None:
    assert retry.parse_retry_after({}, body, now=NOW, body_field="retryAfter") is None


# ------------------------------------------------------------------ transport failures


@pytest.mark.parametrize("error", ["connect", "timeout_connect", "timeout_pool"])
@pytest.mark.parametrize("method", ["GET", "POST", "PATCH"])
def test_request_never_sent_is_retried_for_any_method(retry: ModuleType, error: str, method: str) -> None:
    decision = decide(retry, method=method, error=error)
    assert decision.retry is True
    assert decision.delay == 0.5
    assert decision.may_have_been_applied is False


def test_connect_error_reason(retry: ModuleType) -> None:
    decision = decide(retry, method="POST", error="connect")
    assert decision.reason == ("retrying after connection failed (request not sent) in 0.5 s (backoff; retry 1 of 2)")


@pytest.mark.parametrize("error", ["timeout_read", "timeout_write", "disconnected"])
@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])
def test_sent_failure_retried_for_idempotent_methods(retry: ModuleType, error: str, method: str) -> None:
    decision = decide(retry, method=method, error=error)
    assert decision.retry is True
    assert decision.delay == 0.5


@pytest.mark.parametrize(
    ("error", "what"),
    [
        ("timeout_read", "read timeout"),
        ("timeout_write", "write timeout"),
        ("disconnected", "server disconnected"),
    ],
)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_sent_failure_not_retried_for_post_patch(retry: ModuleType, error: str, what: str, method: str) -> None:
    decision = decide(retry, method=method, error=error)
    assert decision.retry is False
    assert decision.delay == 0.0
    assert decision.may_have_been_applied is True
    assert decision.reason == (f"not retried: {method} may have been applied ({what} after the request was sent)")


# ------------------------------------------------------------------------- statuses


@pytest.mark.parametrize("status", [408, 500, 502, 504])
@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])
def test_transient_status_retried_for_idempotent_methods(retry: ModuleType, status: int, method: str) -> None:
    decision = decide(retry, method=method, status_code=status)
    assert decision.retry is True
    assert decision.delay == 0.5


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (408, "408 Request Timeout"),
        (500, "500 Internal Server Error"),
        (502, "502 Bad Gateway"),
        (504, "504 Gateway Timeout"),
    ],
)
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_transient_status_not_retried_for_post_patch(retry: ModuleType, status: int, label: str, method: str) -> None:
    decision = decide(retry, method=method, status_code=status)
    assert decision.retry is False
    assert decision.may_have_been_applied is True
    assert decision.reason == (f"not retried: {method} may have been applied (the server answered {label})")


@pytest.mark.parametrize("status", [429, 503])
@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_429_and_503_retried_for_any_method(retry: ModuleType, status: int, method: str) -> None:
    decision = decide(retry, method=method, status_code=status)
    assert decision.retry is True
    assert decision.delay == 0.5
    assert decision.may_have_been_applied is False


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 413, 422, 501])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_other_statuses_not_retried(retry: ModuleType, status: int, method: str) -> None:
    decision = decide(retry, method=method, status_code=status)
    assert decision.retry is False
    assert decision.may_have_been_applied is False
    assert decision.reason == f"{status} is not retryable"


def test_success_is_not_retried(retry: ModuleType) -> None:
    decision = decide(retry)
    assert decision.retry is False
    assert decision.reason == "no retry needed: the request succeeded"


def test_method_is_case_insensitive(retry: ModuleType) -> None:
    assert decide(retry, method="get", status_code=502).retry is True
    decision = decide(retry, method="post", status_code=502)
    assert decision.retry is False
    assert decision.reason.startswith("not retried: POST may have been applied")


# ------------------------------------------------------------------------ max retries


def test_last_allowed_retry(retry: ModuleType) -> None:
    decision = decide(retry, attempt=1, max_retries=2, status_code=503)
    assert decision.retry is True
    assert decision.reason == ("retrying after 503 Service Unavailable in 1 s (backoff; retry 2 of 2)")


def test_retries_exhausted(retry: ModuleType) -> None:
    decision = decide(retry, attempt=2, max_retries=2, status_code=503)
    assert decision.retry is False
    assert decision.may_have_been_applied is False
    assert decision.reason == "503 Service Unavailable: retries exhausted (2 allowed)"


def test_max_retries_zero(retry: ModuleType) -> None:
    decision = decide(retry, attempt=0, max_retries=0, error="connect")
    assert decision.retry is False


def test_unsafe_reason_wins_over_exhaustion(retry: ModuleType) -> None:
    decision = decide(retry, method="POST", attempt=5, max_retries=0, status_code=502)
    assert decision.retry is False
    assert decision.may_have_been_applied is True


# ---------------------------------------------------------------------------- backoff


@pytest.mark.parametrize(
    ("attempt", "expected"),
    [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0), (9, 8.0)],
)
def test_backoff_doubles_to_cap(retry: ModuleType, attempt: int, expected: float) -> None:
    decision = decide(retry, attempt=attempt, max_retries=10, status_code=503)
    assert decision.retry is True
    assert decision.delay == expected


@pytest.mark.parametrize(("rng_value", "factor"), [(0.0, 1.0), (0.5, 0.875), (1.0, 0.75)])
def test_backoff_jitter(retry: ModuleType, rng_value: float, factor: float) -> None:
    decision = decide(retry, attempt=2, max_retries=5, status_code=429, rng=lambda: rng_value)
    assert decision.delay == pytest.approx(2.0 * factor)


def test_backoff_delay_helper(retry: ModuleType) -> None:
    assert retry.backoff_delay(3, lambda: 0.5) == pytest.approx(3.5)


# ------------------------------------------------------------------------ Retry-After


def test_retry_after_is_honoured_exactly(retry: ModuleType) -> None:
    decision = decide(retry, method="POST", status_code=429, retry_after=3.0, rng=lambda: 0.9)
    assert decision.retry is True
    assert decision.delay == 3.0
    assert decision.reason == ("retrying after 429 Too Many Requests in 3 s (Retry-After; retry 1 of 2)")


def test_retry_after_zero_means_now(retry: ModuleType) -> None:
    decision = decide(retry, status_code=503, retry_after=0.0)
    assert decision.retry is True
    assert decision.delay == 0.0


def test_retry_after_at_cap(retry: ModuleType) -> None:
    decision = decide(retry, status_code=429, retry_after=60.0)
    assert decision.retry is True
    assert decision.delay == 60.0


def test_retry_after_too_large(retry: ModuleType) -> None:
    decision = decide(retry, method="POST", status_code=429, retry_after=120.0)
    assert decision.retry is False
    assert decision.delay == 0.0
    assert decision.may_have_been_applied is False
    assert decision.reason == (
        "429 Too Many Requests: the server asked to wait 120 s, longer than the 60 s limit for automatic retries"
    )


def test_retry_after_does_not_make_unsafe_retry_safe(retry: ModuleType) -> None:
    decision = decide(retry, method="POST", status_code=502, retry_after=1.0)
    assert decision.retry is False
    assert decision.may_have_been_applied is True


@pytest.mark.parametrize(
    "overrides",
    [
        {"status_code": 404},
        {"status_code": 200},
        {"status_code": 503, "attempt": 2},
        {"status_code": 429, "retry_after": 600.0},
        {"error": "connect", "max_retries": 0},
        {"method": "POST", "status_code": 400},
    ],
)
def test_only_unsafe_reasons_say_not_retried(retry: ModuleType, overrides: dict[str, Any]) -> None:
    # Callers attach "not retried: ..." reasons to the raised error; the other
    # reasons must not read like that note.
    decision = decide(retry, **overrides)
    assert decision.retry is False
    assert decision.may_have_been_applied is False
    assert "not retried" not in decision.reason
    assert "may have been applied" not in decision.reason


def test_decision_is_frozen(retry: ModuleType) -> None:
    decision = decide(retry, status_code=503)
    with pytest.raises(dataclasses.FrozenInstanceError):
        decision.retry = False


# ------------------------------------------------------------------ one set, one parser


def test_one_idempotent_method_set(retry: ModuleType) -> None:
    request = importlib.import_module(retry.__name__.rpartition(".")[0] + "._request")
    assert request.IDEMPOTENT_METHODS is retry.IDEMPOTENT_METHODS
    assert retry.IDEMPOTENT_METHODS == {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}  # RFC 9110 9.2.2


def test_rate_limit_headers_read_retry_after_as_retries_do(retry: ModuleType) -> None:
    headers = importlib.import_module(retry.__name__.rpartition(".")[0] + "._ratelimit_headers")
    for given in ({"retry-after-ms": "250"}, {"Retry-After": "7"}, {"Retry-After": "soon"}, {"Retry-After": "-1"}):
        assert headers.parse_rate_limit_headers(given, wall_now=NOW).retry_after == retry.parse_retry_after(
            given, now=NOW
        )
