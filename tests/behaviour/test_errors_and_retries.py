"""Status errors through the client, and which failures are retried."""

from __future__ import annotations

import httpx
import pytest

from .conftest import Harness, json_response
from .samples import SAMPLES

STATUS_CLASSES = [
    (400, "BadRequestError"),
    (401, "AuthenticationError"),
    (403, "PermissionDeniedError"),
    (404, "NotFoundError"),
    (409, "ConflictError"),
    (422, "UnprocessableEntityError"),
    (500, "InternalServerError"),
]


@pytest.mark.parametrize(("status", "name"), STATUS_CLASSES)
def test_status_maps_to_class(h: Harness, status: int, name: str) -> None:
    sample = SAMPLES[h.pkg]
    body = {
        "message": "Nope",
        "why": "because",
        "fix": "do x",
        "link": "https://d",
        "title": "Nope",
        "detail": "because",
        "code": "contact.invalidInput",
    }
    client = h.client(lambda r: json_response(status, body), max_retries=0)
    with pytest.raises(getattr(h.module, name)) as info:
        h.run(sample.call(client))
    err = info.value
    assert err.status_code == status and isinstance(err, h.module.APIStatusError)
    assert "\n" not in str(err)
    if h.pkg == "reloop":
        assert (err.message, err.why, err.fix, err.link) == ("Nope", "because", "do x", "https://d")
    else:
        assert (err.title, err.detail, err.code) == ("Nope", "because", "contact.invalidInput")


def test_reply_validation_problem_pointers(reply: Harness) -> None:
    body = {
        "title": "Validation failed",
        "status": 400,
        "detail": "bad",
        "errors": [{"pointer": "/email", "detail": "Field is required."}],
    }
    client = reply.client(
        lambda r: httpx.Response(400, json=body, headers={"content-type": "application/problem+json"})
    )
    with pytest.raises(reply.module.BadRequestError) as info:
        reply.run(client.contacts.create())
    assert info.value.errors[0].pointer == "/email" and "Field is required" in str(info.value)


def test_reply_empty_401(reply: Harness) -> None:
    client = reply.client(lambda r: httpx.Response(401, headers={"www-authenticate": "Bearer"}))
    with pytest.raises(reply.module.AuthenticationError) as info:
        reply.run(client.whoami.retrieve())
    assert "401" in str(info.value)


@pytest.mark.parametrize(
    ("status", "name"), [(402, "PaymentRequiredError"), (413, "RequestTooLargeError"), (503, "ServiceUnavailableError")]
)
def test_reloop_specific_statuses(reloop: Harness, status: int, name: str) -> None:
    client = reloop.client(lambda r: json_response(status, {"message": "Email quota exceeded"}), max_retries=0)
    with pytest.raises(getattr(reloop.module, name)):
        reloop.run(SAMPLES["reloop"].post(client))


def test_html_error_page(h: Harness) -> None:
    client = h.client(
        lambda r: httpx.Response(
            502, text="<html><body><h1>502 Bad Gateway</h1></body></html>", headers={"content-type": "text/html"}
        ),
        max_retries=0,
    )
    with pytest.raises(h.module.InternalServerError) as info:
        h.run(SAMPLES[h.pkg].call(client))
    assert "502" in str(info.value) and "\n" not in str(info.value)


def test_get_503_is_retried_with_backoff(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    answers = iter(
        [
            json_response(503, {"message": "busy"}),
            json_response(503, {"message": "busy"}),
            json_response(200, sample.body),
        ]
    )
    client = h.client(lambda r: next(answers))
    result = h.run(sample.call(client))
    assert getattr(result, sample.field) == sample.value
    assert len(h.requests) == 3 and h.sleeps == [0.5, 1.0]


def test_retry_after_is_honoured(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    answers = iter(
        [json_response(429, {"message": "slow down"}, {"retry-after": "7"}), json_response(200, sample.body)]
    )
    client = h.client(lambda r: next(answers))
    h.run(sample.call(client))
    assert h.sleeps[0] == 7.0


def test_rate_limit_error_after_retries(h: Harness) -> None:
    client = h.client(lambda r: json_response(429, {"message": "slow"}, {"retry-after": "2"}), max_retries=1)
    with pytest.raises(h.module.RateLimitError) as info:
        h.run(SAMPLES[h.pkg].call(client))
    assert info.value.retry_after == 2.0 and len(h.requests) == 2


def test_post_500_is_not_retried_and_says_so(h: Harness) -> None:
    client = h.client(lambda r: json_response(500, {"message": "boom"}))
    with pytest.raises(h.module.InternalServerError) as info:
        h.run(SAMPLES[h.pkg].post(client))
    assert len(h.requests) == 1
    assert "may have been applied" in str(info.value)


def test_post_429_is_retried(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    answers = iter(
        [json_response(429, {"message": "slow"}, {"retry-after": "1"}), json_response(200, sample.post_body)]
    )
    client = h.client(lambda r: next(answers))
    h.run(sample.post(client))
    assert len(h.requests) == 2


def test_post_read_timeout_is_not_retried(h: Harness) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    client = h.client(handler)
    with pytest.raises(h.module.APITimeoutError) as info:
        h.run(SAMPLES[h.pkg].post(client))
    assert len(h.requests) == 1 and "may have been applied" in str(info.value)


def test_connect_error_is_retried_for_post(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        return json_response(200, sample.post_body)

    client = h.client(handler)
    h.run(sample.post(client))
    assert len(h.requests) == 2


def test_connection_failure_raises_connection_error(h: Harness) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = h.client(handler, max_retries=1)
    with pytest.raises(h.module.APIConnectionError) as info:
        h.run(SAMPLES[h.pkg].call(client))
    assert not isinstance(info.value, h.module.APITimeoutError)
    assert len(h.requests) == 2


def test_get_read_timeout_is_retried_then_raises_timeout(h: Harness) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    client = h.client(handler, max_retries=2)
    with pytest.raises(h.module.APITimeoutError):
        h.run(SAMPLES[h.pkg].call(client))
    assert len(h.requests) == 3
