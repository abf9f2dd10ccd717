"""Client settings: keys, base URLs, auth on the wire, options, timeouts, secrets."""

from __future__ import annotations

import logging

import httpx
import pytest

from .conftest import API, Harness, json_response
from .samples import SAMPLES


def test_missing_key_names_the_env_var(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    env = API[h.pkg][2]
    monkeypatch.delenv(env, raising=False)
    with pytest.raises(h.module.APIError, match=env):
        h.client(lambda r: json_response(200, {}), api_key=None)


def test_key_from_env(h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(API[h.pkg][2], "env-key-123")
    sample = SAMPLES[h.pkg]
    client = h.client(lambda r: json_response(200, sample.body), api_key=None)
    h.run(sample.call(client))
    auth = h.requests[0].headers.get("x-api-key") or h.requests[0].headers.get("authorization")
    assert auth is not None and auth.endswith("env-key-123")


def test_auth_on_the_wire(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    client = h.client(lambda r: json_response(200, sample.body))
    h.run(sample.call(client))
    headers = h.requests[0].headers
    if h.pkg == "reloop":
        assert headers["x-api-key"] == "sk-test-secret-key" and "authorization" not in headers
    else:
        assert headers["authorization"] == "Bearer sk-test-secret-key" and "x-api-key" not in headers


@pytest.mark.parametrize("url", ["http://api.example.com", "ftp://example.com", "http://10.0.0.1"])
def test_base_url_must_be_https(h: Harness, url: str) -> None:
    with pytest.raises(ValueError, match="https"):
        h.client(lambda r: json_response(200, {}), base_url=url)


@pytest.mark.parametrize(
    "url", ["http://localhost:4010", "http://127.0.0.1:8080", "http://[::1]:9000", "https://eu.example.com/"]
)
def test_loopback_http_and_https_allowed(h: Harness, url: str) -> None:
    sample = SAMPLES[h.pkg]
    client = h.client(lambda r: json_response(200, sample.body), base_url=url)
    h.run(sample.call(client))
    assert str(h.requests[0].url).startswith(url.rstrip("/"))


def test_parses_model_and_keeps_unknown_fields(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    client = h.client(lambda r: json_response(200, {**sample.body, "brandNewField": [1, 2]}))
    result = h.run(sample.call(client))
    assert getattr(result, sample.field) == sample.value
    assert result.model_extra["brandNewField"] == [1, 2]
    assert h.requests[0].url.path == sample.path


def test_repr_and_errors_never_show_the_key(h: Harness, caplog: pytest.LogCaptureFixture) -> None:
    sample = SAMPLES[h.pkg]
    client = h.client(lambda r: json_response(401, {"message": "bad key sk-test-secret-key", "title": "Unauthorized"}))
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(h.module.AuthenticationError) as info:
            h.run(sample.call(client))
    for text in (repr(client), str(info.value), repr(info.value), caplog.text):
        assert "sk-test-secret-key" not in text


def test_debug_log_redacts_auth(h: Harness, caplog: pytest.LogCaptureFixture) -> None:
    sample = SAMPLES[h.pkg]
    client = h.client(lambda r: json_response(200, sample.body))
    with caplog.at_level(logging.DEBUG, logger=h.pkg):
        h.run(sample.call(client))
    assert "request GET" in caplog.text
    assert "sk-test-secret-key" not in caplog.text and "redacted" in caplog.text


def test_with_options_copies_and_changes(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    client = h.client(lambda r: json_response(200, sample.body), default_headers={"X-A": "1"})
    other = client.with_options(default_headers={"X-B": "2"}, timeout=3.0, max_retries=0)
    h.fake_time(other)
    h.run(sample.call(other))
    sent = h.requests[0]
    assert sent.headers["x-a"] == "1" and sent.headers["x-b"] == "2"
    assert sent.extensions["timeout"]["read"] == 3.0
    assert client.max_retries == 2 and other.max_retries == 0
    assert client.timeout != other.timeout


def test_default_and_per_call_timeout(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    client = h.client(lambda r: json_response(200, sample.body))
    h.run(sample.call(client))
    assert h.requests[0].extensions["timeout"] == {"connect": 5.0, "read": 60.0, "write": 60.0, "pool": 60.0}
    resource_call = sample.call  # per-call timeout goes through the same method
    del resource_call
    if h.pkg == "replyio":
        h.run(client.whoami.retrieve(timeout=1.5))
    else:
        h.run(client.domains.retrieve("dom_1", timeout=1.5))
    assert h.requests[1].extensions["timeout"]["read"] == 1.5


def test_extra_headers_query_and_body(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    client = h.client(lambda r: json_response(200, sample.post_body))
    if h.pkg == "replyio":
        call = client.contacts.create(
            email="a@example.com",
            extra_headers={"X-Trace": "t1"},
            extra_query={"dry": "1"},
            extra_body={"note": "x"},
        )
    else:
        call = client.mail.send(
            from_="a@example.com",
            to=["b@example.com"],
            subject="s",
            html="h",
            extra_headers={"X-Trace": "t1"},
            extra_query={"dry": "1"},
            extra_body={"note": "x"},
        )
    h.run(call)
    sent = h.requests[0]
    assert sent.headers["x-trace"] == "t1" and sent.url.params["dry"] == "1"
    import json

    assert json.loads(sent.content)["note"] == "x"


def test_empty_path_parameter_is_refused(h: Harness) -> None:
    client = h.client(lambda r: json_response(200, {}))
    with pytest.raises(ValueError, match="non-empty"):
        if h.pkg == "replyio":
            h.run(client.contacts.retrieve(""))
        else:
            h.run(client.domains.retrieve(""))
    assert h.requests == []


def test_context_manager_and_close(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    client = h.client(lambda r: json_response(200, sample.body))
    if h.is_async:

        async def use() -> None:
            async with client as c:
                await sample.call(c)

        h.run(use())
        h.run(client.aclose())
    else:
        with client as c:
            sample.call(c)
        client.close()
    assert len(h.requests) == 1


def test_raw_response(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    client = h.client(lambda r: json_response(200, sample.body, {"x-request-id": "req_1"}))
    raw_resource = client.whoami if h.pkg == "replyio" else client.domains
    if h.pkg == "replyio":
        raw = h.run(raw_resource.with_raw_response.retrieve())
    else:
        raw = h.run(raw_resource.with_raw_response.retrieve("dom_1"))
    assert raw.status_code == 200 and raw.headers["x-request-id"] == "req_1"
    assert getattr(raw.parse(), sample.field) == sample.value


def test_garbage_success_body_is_a_typed_error(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    client = h.client(lambda r: httpx.Response(200, text="<html>proxy</html>", headers={"content-type": "text/html"}))
    with pytest.raises(h.module.APIResponseValidationError, match="JSON"):
        h.run(sample.call(client))


def test_wrong_shape_is_a_typed_error(h: Harness) -> None:
    sample = SAMPLES[h.pkg]
    client = h.client(lambda r: json_response(200, [1, 2, 3]))
    with pytest.raises(h.module.APIResponseValidationError):
        h.run(sample.call(client))


def test_redirect_only_operation_returns_the_location(reply: Harness) -> None:
    consent = "https://accounts.google.com/o/oauth2/v2/auth?client_id=reply"
    client = reply.client(lambda r: httpx.Response(302, headers={"location": consent}))
    assert reply.run(client.email_accounts.connect_gmail()) == consent
    assert len(reply.requests) == 1  # not followed: the consent page is for a browser
