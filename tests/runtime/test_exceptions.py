"""The exception tree and make_status_error, in both generated packages.

The runtime knows no API: what an error body looks like is data (an `Envelope`). The tests run each
package's copy of the runtime against three envelopes: the two the curated specs declare
("reloop": a message with why/fix/link fields, "problem": RFC 9457 problem details) and the empty
one a plain spec gets ("generic").
"""

import importlib
import json
from types import ModuleType
from typing import Any

import httpx
import pytest

PACKAGES = ("reloop", "replyio")
API_KEY = "rl_live_TESTKEY_0123456789abcdef"
BEARER = "rp_TESTTOKEN_abcdef0123456789"


@pytest.fixture(params=PACKAGES)
def exc(request: pytest.FixtureRequest) -> ModuleType:
    return importlib.import_module(f"{request.param}._exceptions")


def make_response(
    status: int,
    body: Any = None,
    *,
    raw: bytes | str | None = None,
    headers: dict[str, str] | None = None,
    method: str = "GET",
) -> httpx.Response:
    request = httpx.Request(
        method,
        "https://api.example.test/v3/things/1",
        headers={"x-api-key": API_KEY, "authorization": f"Bearer {BEARER}"},
    )
    all_headers = dict(headers or {})
    if raw is not None:
        content = raw.encode() if isinstance(raw, str) else raw
    elif body is not None:
        content = json.dumps(body).encode()
        all_headers.setdefault("content-type", "application/json")
    else:
        content = b""
    return httpx.Response(status, content=content, headers=all_headers, request=request)


def envelope_of(exc: ModuleType, name: str) -> Any:
    """The envelope a curated spec declares (its package's), or the empty one."""
    if name == "generic":
        return exc.Envelope()
    package = {"reloop": "reloop", "problem": "replyio"}[name]
    return importlib.import_module(f"{package}._constants").CONFIG.error_envelope


def build(
    exc: ModuleType,
    status: int,
    body: Any = None,
    *,
    envelope: str = "generic",
    **kw: Any,
) -> Any:
    return exc.make_status_error(make_response(status, body, **kw), envelope=envelope_of(exc, envelope))


# ------------------------------------------------------------------------ class choice

STATUS_CLASSES = [
    (400, "BadRequestError"),
    (401, "AuthenticationError"),
    (402, "PaymentRequiredError"),
    (403, "PermissionDeniedError"),
    (404, "NotFoundError"),
    (409, "ConflictError"),
    (413, "RequestTooLargeError"),
    (422, "UnprocessableEntityError"),
    (429, "RateLimitError"),
    (500, "InternalServerError"),
    (502, "BadGatewayError"),
    (503, "ServiceUnavailableError"),
    # unknown statuses map by range
    (405, "APIStatusError"),
    (418, "APIStatusError"),
    (451, "APIStatusError"),
    (501, "InternalServerError"),
    (504, "InternalServerError"),
    (599, "InternalServerError"),
]


@pytest.mark.parametrize(("status", "name"), STATUS_CLASSES)
def test_status_maps_to_exact_class(exc: ModuleType, status: int, name: str) -> None:
    err = build(exc, status, {"message": "boom"})
    assert type(err) is getattr(exc, name)
    assert exc.status_error_class(status) is getattr(exc, name)
    assert err.status_code == status


def test_hierarchy(exc: ModuleType) -> None:
    assert issubclass(exc.APIError, Exception)
    assert issubclass(exc.APIConnectionError, exc.APIError)
    assert issubclass(exc.APITimeoutError, exc.APIConnectionError)
    assert issubclass(exc.APIStatusError, exc.APIError)
    assert issubclass(exc.WebhookVerificationError, exc.APIError)
    assert not issubclass(exc.WebhookVerificationError, exc.APIStatusError)
    for name in (
        "BadRequestError",
        "AuthenticationError",
        "PaymentRequiredError",
        "PermissionDeniedError",
        "NotFoundError",
        "ConflictError",
        "RequestTooLargeError",
        "UnprocessableEntityError",
        "RateLimitError",
        "InternalServerError",
    ):
        assert getattr(exc, name).__bases__ == (exc.APIStatusError,), name
    assert exc.BadGatewayError.__bases__ == (exc.InternalServerError,)
    assert exc.ServiceUnavailableError.__bases__ == (exc.InternalServerError,)


def test_common_fields(exc: ModuleType) -> None:
    response = make_response(404, {"message": "Domain not found"})
    err = exc.make_status_error(response, envelope=envelope_of(exc, "reloop"))
    assert err.response is response
    assert err.request is response.request
    assert err.headers is response.headers
    assert err.body == {"message": "Domain not found"}
    assert err.status_code == 404
    assert err.message == "Domain not found"
    assert err.not_retried_reason is None
    assert err.request_id is None
    for field in ("why", "fix", "link", "retry_after_body", "title", "detail", "code"):
        assert getattr(err, field) is None, field
    assert err.errors == []


# ---------------------------------------------------------------------- Reloop envelope

RELOOP_DOC_ERROR = {
    "message": "Domain not found",
    "why": ("The domain acme.com was not found or is not authorized for your organization"),
    "fix": "Ensure the domain is registered and verified in your dashboard",
    "link": "https://reloop.sh/docs/api/errors",
}


def test_reloop_documented_envelope(exc: ModuleType) -> None:
    err = build(exc, 404, RELOOP_DOC_ERROR, envelope="reloop")
    assert type(err) is exc.NotFoundError
    assert err.message == "Domain not found"
    assert err.why == RELOOP_DOC_ERROR["why"]
    assert err.fix == RELOOP_DOC_ERROR["fix"]
    assert err.link == "https://reloop.sh/docs/api/errors"
    assert err.title is None
    assert err.detail is None
    assert err.code is None
    assert str(err) == (
        "404 Not Found: Domain not found — The domain acme.com was not found or is not"
        " authorized for your organization (fix: Ensure the domain is registered and"
        " verified in your dashboard) (see https://reloop.sh/docs/api/errors)"
    )


def test_reloop_bare_message(exc: ModuleType) -> None:
    err = build(exc, 403, {"message": "Unauthorized access"}, envelope="reloop")
    assert type(err) is exc.PermissionDeniedError
    assert err.message == "Unauthorized access"
    assert str(err) == "403 Forbidden: Unauthorized access"


def test_reloop_validation_errors_as_objects(exc: ModuleType) -> None:
    body = {
        "message": "Validation failed",
        "errors": [
            {"field": "email", "message": "Invalid email"},
            {"field": "firstName", "message": "Too long"},
        ],
    }
    err = build(exc, 400, body, envelope="reloop")
    assert type(err) is exc.BadRequestError
    assert err.errors == [
        exc.ErrorDetail(field="email", detail="Invalid email"),
        exc.ErrorDetail(field="firstName", detail="Too long"),
    ]
    assert err.errors[0].pointer is None
    assert str(err) == ("400 Bad Request: Validation failed — email: Invalid email; firstName: Too long")


def test_reloop_upload_errors_as_strings(exc: ModuleType) -> None:
    body = {"message": "Invalid upload", "errors": ["File is empty", "Bad type"]}
    err = build(exc, 400, body, envelope="reloop")
    assert err.errors == [
        exc.ErrorDetail(detail="File is empty"),
        exc.ErrorDetail(detail="Bad type"),
    ]
    assert str(err) == "400 Bad Request: Invalid upload — File is empty; Bad type"


def test_reloop_webhook_service_variant(exc: ModuleType) -> None:
    body = {
        "name": "NotFoundError",
        "message": "Webhook not found",
        "status": 404,
        "data": {
            "why": "No webhook wh_1 in this organization",
            "fix": "List webhooks to find the id",
            "link": "https://reloop.sh/docs/api/errors",
        },
    }
    err = build(exc, 404, body, envelope="reloop")
    assert type(err) is exc.NotFoundError
    assert err.message == "Webhook not found"
    assert err.why == "No webhook wh_1 in this organization"
    assert err.fix == "List webhooks to find the id"
    assert err.link == "https://reloop.sh/docs/api/errors"
    assert str(err) == (
        "404 Not Found: Webhook not found — No webhook wh_1 in this organization"
        " (fix: List webhooks to find the id) (see https://reloop.sh/docs/api/errors)"
    )


def test_reloop_management_429_body_retry_after(exc: ModuleType) -> None:
    body = {
        "message": "Too many requests",
        "why": "You have exceeded the limit of 10 requests per 60s window for this operation.",
        "fix": "Wait 7 second(s) before retrying.",
        "retryAfter": 7,
    }
    err = build(exc, 429, body, envelope="reloop")
    assert type(err) is exc.RateLimitError
    assert err.retry_after_body == 7.0
    assert err.retry_after == 7.0
    # "Too many requests" only repeats the reason phrase, so `why` leads.
    assert str(err) == (
        "429 Too Many Requests: You have exceeded the limit of 10 requests per 60s"
        " window for this operation. (fix: Wait 7 second(s) before retrying.)"
        " (retry after 7 s)"
    )


def test_retry_after_header_wins_over_body(exc: ModuleType) -> None:
    body = {"message": "Too many requests", "retryAfter": 7}
    err = build(exc, 429, body, envelope="reloop", headers={"Retry-After": "12"})
    assert err.retry_after == 12.0
    assert err.retry_after_body == 7.0


def test_retry_after_http_date(exc: ModuleType) -> None:
    response = make_response(
        429,
        {"message": "Too Many Requests"},
        headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"},
    )
    now = 1445412480.0 - 30  # 30 s before that date
    err = exc.make_status_error(response, envelope=envelope_of(exc, "reloop"), now=now)
    assert err.retry_after == 30.0
    assert err.retry_after_body is None


def test_rate_limit_without_hint(exc: ModuleType) -> None:
    err = build(exc, 429, {"message": "Too Many Requests"}, envelope="reloop")
    assert err.retry_after is None
    assert str(err) == "429 Too Many Requests"


# --------------------------------------------------------------------- problem envelope


def test_problem_validation(exc: ModuleType) -> None:
    body = {
        "title": "Validation failed",
        "status": 400,
        "detail": "The request body contains validation errors.",
        "errors": [
            {"pointer": "/name", "detail": "Field is required."},
            {"pointer": "top", "detail": "Value has an invalid format."},
        ],
    }
    err = build(exc, 400, body, envelope="problem")
    assert type(err) is exc.BadRequestError
    assert err.title == "Validation failed"
    assert err.detail == "The request body contains validation errors."
    assert err.message == "The request body contains validation errors."
    assert err.code is None
    assert err.errors == [
        exc.ErrorDetail(pointer="/name", detail="Field is required."),
        exc.ErrorDetail(pointer="top", detail="Value has an invalid format."),
    ]
    for name in ("why", "fix", "link"):  # fields of another API's envelope
        assert not hasattr(err, name)
    assert str(err) == (
        "400 Bad Request: Validation failed — /name: Field is required.; top: Value has an invalid format."
    )


def test_problem_with_code_and_errors(exc: ModuleType) -> None:
    body = {
        "title": "Validation failed",
        "status": 400,
        "detail": "The request body contains validation errors.",
        "code": "contact.invalidInput",
        "errors": [{"pointer": "/name", "detail": "Field is required."}],
    }
    err = build(exc, 400, body, envelope="problem")
    assert err.code == "contact.invalidInput"
    assert str(err) == ("400 contact.invalidInput: Validation failed — /name: Field is required.")


def test_problem_business_error(exc: ModuleType) -> None:
    body = {
        "title": "Not Found",
        "status": 404,
        "detail": "Sequence 5 was not found.",
        "code": "sequence.notFound",
    }
    err = build(exc, 404, body, envelope="problem")
    assert type(err) is exc.NotFoundError
    assert err.message == "Sequence 5 was not found."
    assert str(err) == "404 sequence.notFound: Sequence 5 was not found."


def test_problem_whole_body_pointer(exc: ModuleType) -> None:
    body = {
        "title": "Validation failed",
        "status": 400,
        "detail": "The request body contains validation errors.",
        "errors": [{"pointer": "", "detail": "Request body is not valid JSON."}],
    }
    err = build(exc, 400, body, envelope="problem")
    assert err.errors[0].location is None
    assert str(err) == "400 Bad Request: Validation failed — Request body is not valid JSON."


def test_reply_401_empty_body(exc: ModuleType) -> None:
    err = build(
        exc,
        401,
        envelope="problem",
        headers={"WWW-Authenticate": "Bearer", "Content-Length": "0"},
    )
    assert type(err) is exc.AuthenticationError
    assert err.body is None
    assert err.message == "Unauthorized"
    assert err.errors == []
    assert str(err) == ("401 Unauthorized (empty response body) (WWW-Authenticate: Bearer)")


def test_reply_401_bare_problem(exc: ModuleType) -> None:
    body = {
        "title": "Unauthorized",
        "status": 401,
        "detail": "Authentication credentials are missing or invalid.",
    }
    err = build(exc, 401, body, envelope="problem")
    assert type(err) is exc.AuthenticationError
    assert err.title == "Unauthorized"
    assert str(err) == ("401 Unauthorized: Authentication credentials are missing or invalid.")


def test_reply_429(exc: ModuleType) -> None:
    body = {
        "title": "Too Many Requests",
        "status": 429,
        "detail": "Rate limit exceeded. Retry after 60 seconds.",
    }
    err = build(
        exc,
        429,
        body,
        envelope="problem",
        headers={"Retry-After": "60", "content-type": "application/problem+json"},
    )
    assert type(err) is exc.RateLimitError
    assert err.retry_after == 60.0
    assert err.retry_after_body is None
    assert str(err) == ("429 Too Many Requests: Rate limit exceeded. Retry after 60 seconds. (retry after 60 s)")


def test_reply_502_code(exc: ModuleType) -> None:
    body = {
        "title": "Bad Gateway",
        "status": 502,
        "detail": "The webhook target did not answer.",
        "code": "webHook.deliveryFailed",
    }
    err = build(exc, 502, body, envelope="problem", method="POST")
    assert type(err) is exc.BadGatewayError
    assert isinstance(err, exc.InternalServerError)
    assert str(err) == "502 webHook.deliveryFailed: The webhook target did not answer."


def test_errors_dict_shape(exc: ModuleType) -> None:
    body = {
        "title": "One or more validation errors occurred.",
        "errors": {"Name": ["x"]},
    }
    err = build(exc, 400, body, envelope="problem")
    assert err.errors == [exc.ErrorDetail(field="Name", detail="x")]


def test_many_errors_are_summarised(exc: ModuleType) -> None:
    body = {
        "title": "Validation failed",
        "errors": [{"pointer": f"/f{i}", "detail": "bad"} for i in range(7)],
    }
    err = build(exc, 400, body, envelope="problem")
    assert len(err.errors) == 7
    assert str(err) == (
        "400 Bad Request: Validation failed — /f0: bad; /f1: bad; /f2: bad; /f3: bad; /f4: bad; and 2 more"
    )


# --------------------------------------------------------------------- generic / odd


def test_generic_nested_error_object(exc: ModuleType) -> None:
    body = {"error": {"message": "Quota exceeded", "code": "quota"}}
    err = build(exc, 402, body)
    assert type(err) is exc.PaymentRequiredError
    assert err.message == "Quota exceeded"
    assert err.code == "quota"
    assert str(err) == "402 quota: Quota exceeded"


def test_generic_oauth_style(exc: ModuleType) -> None:
    body = {"error": "invalid_token", "error_description": "The token expired"}
    err = build(exc, 401, body)
    assert err.message == "The token expired"
    assert str(err) == "401 Unauthorized: The token expired"


def test_json_object_without_known_fields(exc: ModuleType) -> None:
    err = build(exc, 500, {"oops": 1})
    assert type(err) is exc.InternalServerError
    assert err.message == '{"oops":1}'
    assert str(err) == '500 Internal Server Error: {"oops":1}'


def test_html_page_from_proxy(exc: ModuleType) -> None:
    page = (
        "<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title>\n"
        "<style>body { color: red }</style></head>\n<body>\n"
        "<center><h1>502 Bad Gateway</h1></center>\n<hr><center>nginx</center>\n"
        "</body>\n</html>\n"
    )
    err = build(exc, 502, raw=page, headers={"content-type": "text/html"}, method="POST")
    assert type(err) is exc.BadGatewayError
    assert err.body == page
    assert err.message == "502 Bad Gateway 502 Bad Gateway nginx"
    assert str(err) == ("502 Bad Gateway: 502 Bad Gateway 502 Bad Gateway nginx (HTML response)")


def test_html_without_content_type_is_detected(exc: ModuleType) -> None:
    err = build(exc, 503, raw="<html><body>Service &amp; stuff down</body></html>")
    assert type(err) is exc.ServiceUnavailableError
    assert err.message == "Service & stuff down"
    assert str(err).endswith("(HTML response)")


def test_long_html_is_clipped(exc: ModuleType) -> None:
    page = "<html><body>" + "<p>word\n\n  </p>" * 300 + "</body></html>"
    err = build(exc, 500, raw=page, headers={"content-type": "text/html; charset=utf-8"})
    assert len(err.message) <= 200
    assert err.message.endswith("…")
    assert "\n" not in str(err)
    assert "<" not in err.message


def test_plain_text_body(exc: ModuleType) -> None:
    text = "upstream connect error or\ndisconnect/reset before headers"
    err = build(exc, 503, raw=text, headers={"content-type": "text/plain"})
    assert type(err) is exc.ServiceUnavailableError
    assert err.body == text
    assert err.message == "upstream connect error or disconnect/reset before headers"
    assert str(err) == ("503 Service Unavailable: upstream connect error or disconnect/reset before headers")


def test_long_text_is_clipped(exc: ModuleType) -> None:
    err = build(exc, 500, raw="x" * 1000)
    assert len(err.message) == 200
    assert err.message == "x" * 199 + "…"


def test_truncated_json(exc: ModuleType) -> None:
    raw = '{"message": "Domain not fo'
    err = build(exc, 404, raw=raw, headers={"content-type": "application/json"})
    assert type(err) is exc.NotFoundError
    assert err.body == raw
    assert err.message == raw
    assert str(err) == '404 Not Found: {"message": "Domain not fo'


def test_json_list_of_strings(exc: ModuleType) -> None:
    err = build(exc, 400, ["first problem", "second problem"])
    assert err.body == ["first problem", "second problem"]
    assert err.errors == [
        exc.ErrorDetail(detail="first problem"),
        exc.ErrorDetail(detail="second problem"),
    ]
    assert str(err) == "400 Bad Request: first problem; second problem"


def test_json_list_of_objects(exc: ModuleType) -> None:
    err = build(exc, 422, [{"field": "to", "message": "required"}])
    assert type(err) is exc.UnprocessableEntityError
    assert err.errors == [exc.ErrorDetail(field="to", detail="required")]
    assert str(err) == "422 Unprocessable Entity: to: required"


def test_json_string_body(exc: ModuleType) -> None:
    err = build(exc, 500, "Database operation failed")
    assert err.body == "Database operation failed"
    assert str(err) == "500 Internal Server Error: Database operation failed"


@pytest.mark.parametrize("raw", ["null", "42", "true"])
def test_json_scalar_bodies(exc: ModuleType, raw: str) -> None:
    err = build(exc, 409, raw=raw, headers={"content-type": "application/json"})
    assert type(err) is exc.ConflictError
    assert err.body == json.loads(raw)
    assert str(err).startswith("409 Conflict")


def test_undecodable_bytes(exc: ModuleType) -> None:
    err = build(exc, 500, raw=b"\xff\xfe\x00garbage\n\x80")
    assert type(err) is exc.InternalServerError
    assert "\n" not in str(err)


def test_unread_streaming_response(exc: ModuleType) -> None:
    response = httpx.Response(
        500,
        stream=httpx.ByteStream(b'{"message": "x"}'),
        request=httpx.Request("GET", "https://api.example.test/"),
    )
    err = exc.make_status_error(response, envelope=envelope_of(exc, "reloop"))
    assert type(err) is exc.InternalServerError
    assert err.body is None


def test_response_without_request(exc: ModuleType) -> None:
    err = exc.make_status_error(httpx.Response(404, json={"message": "gone"}), envelope=envelope_of(exc, "reloop"))
    assert err.request is None
    assert str(err) == "404 Not Found: gone"


def test_request_id_is_reported(exc: ModuleType) -> None:
    err = build(
        exc,
        500,
        {"message": "Failed"},
        envelope="reloop",
        headers={"x-request-id": "r-1"},
    )
    assert err.request_id == "r-1"
    assert str(err) == "500 Internal Server Error: Failed (request id: r-1)"


# ------------------------------------------------------------- one line, no secrets

ODD_BODIES: list[dict[str, Any]] = [
    {"body": RELOOP_DOC_ERROR},
    {"body": {"message": "line one\nline two", "why": "a\r\nb", "fix": "c\n\td"}},
    {
        "body": {
            "title": "T\n",
            "detail": "D\nE",
            "errors": [{"pointer": "/a", "detail": "x\ny"}],
        }
    },
    {"raw": "<html>\n<body>\n<h1>Oops</h1>\n</body>\n</html>"},
    {"raw": "plain\ntext\n\nbody"},
    {"raw": '{"message": "trunc'},
    {"raw": ""},
    {"body": ["a\nb", {"message": "c\nd"}]},
]


@pytest.mark.parametrize("status", [400, 401, 404, 429, 500, 502])
@pytest.mark.parametrize("case", ODD_BODIES)
@pytest.mark.parametrize("envelope", ["reloop", "problem", "generic"])
def test_str_is_one_line(exc: ModuleType, status: int, case: dict[str, Any], envelope: str) -> None:
    err = build(exc, status, case.get("body"), raw=case.get("raw"), envelope=envelope)
    text = str(err)
    assert text
    assert text.startswith(str(status))
    assert "\n" not in text
    assert "\r" not in text
    assert "\t" not in text
    assert "\n" not in err.message
    assert "  " not in text


def test_repr_shows_class_status_message_only(exc: ModuleType) -> None:
    err = build(exc, 404, RELOOP_DOC_ERROR, envelope="reloop")
    assert repr(err) == "NotFoundError(status_code=404, message='Domain not found')"


@pytest.mark.parametrize(
    "body",
    [
        {"message": f"Invalid API key {API_KEY}"},
        {"title": "Unauthorized", "detail": f"Token {BEARER} is not valid"},
        {"message": "bad", "why": f"header was Bearer {BEARER}", "fix": API_KEY},
    ],
)
def test_api_key_never_in_str_or_repr(exc: ModuleType, body: dict[str, Any]) -> None:
    for envelope in ("reloop", "problem", "generic"):
        err = build(exc, 401, body, envelope=envelope)
        for text in (str(err), repr(err), err.message):
            assert API_KEY not in text
            assert BEARER not in text
        if envelope == "reloop" or "why" not in body:  # why/fix are fields of that envelope only
            assert "<redacted>" in str(err)


def test_request_headers_never_in_message(exc: ModuleType) -> None:
    for status in (400, 401, 403, 500):
        err = build(exc, status, raw="")
        assert "x-api-key" not in str(err).lower()
        assert "authorization" not in str(err).lower()
        assert API_KEY not in str(err)
        assert API_KEY not in repr(err)


def test_connection_errors(exc: ModuleType) -> None:
    request = httpx.Request("POST", "https://api.example.test/x", headers={"x-api-key": API_KEY})
    err = exc.APIConnectionError(request=request)
    assert err.message == "Connection error."
    assert err.request is request
    assert str(err) == "Connection error."
    assert repr(err) == "APIConnectionError(message='Connection error.')"
    timeout = exc.APITimeoutError(request=request)
    assert str(timeout) == "Request timed out."
    assert isinstance(timeout, exc.APIConnectionError)
    leaky = exc.APIConnectionError(f"failed with key {API_KEY}", request=request)
    assert API_KEY not in str(leaky)
    assert API_KEY not in repr(leaky)


def test_not_retried_note_on_status_error(exc: ModuleType) -> None:
    err = build(exc, 502, {"message": "Upstream failed"}, envelope="reloop", method="POST")
    reason = "not retried: POST may have been applied (the server answered 502 Bad Gateway)"
    assert exc.with_not_retried_note(err, reason) is err
    assert err.not_retried_reason == reason
    assert str(err) == f"502 Bad Gateway: Upstream failed ({reason})"
    assert repr(err) == "BadGatewayError(status_code=502, message='Upstream failed')"


def test_not_retried_note_on_timeout(exc: ModuleType) -> None:
    err = exc.with_not_retried_note(
        exc.APITimeoutError(),
        "not retried: POST may have been applied (read timeout after the request was sent)",
    )
    assert str(err) == (
        "Request timed out. (not retried: POST may have been applied (read timeout after the request was sent))"
    )


def test_response_validation_error(exc: ModuleType) -> None:
    response = make_response(200, raw="<html>ok</html>")
    err = exc.APIResponseValidationError("Expected a JSON body", response=response, body="<html>ok</html>")
    assert isinstance(err, exc.APIError)
    assert not isinstance(err, exc.APIStatusError)
    assert err.response is response
    assert err.request is response.request
    assert err.status_code == 200
    assert err.headers is response.headers
    assert err.body == "<html>ok</html>"
    assert str(err) == "Expected a JSON body"
    assert repr(err) == ("APIResponseValidationError(status_code=200, message='Expected a JSON body')")


def test_webhook_verification_error(exc: ModuleType) -> None:
    err = exc.WebhookVerificationError("signature mismatch")
    assert err.request is None
    assert str(err) == "signature mismatch"
    assert repr(err) == "WebhookVerificationError(message='signature mismatch')"


def test_error_detail_is_frozen(exc: ModuleType) -> None:
    detail = exc.ErrorDetail(pointer="/a", detail="bad")
    with pytest.raises(AttributeError):
        detail.detail = "other"
    assert str(detail) == "/a: bad"
    assert str(exc.ErrorDetail(field="email", detail="bad")) == "email: bad"
    assert str(exc.ErrorDetail(detail="bad")) == "bad"


# ------------------------------------------------------------ the envelope is data


def config_of(exc: ModuleType) -> ModuleType:
    return importlib.import_module(exc.__name__.rpartition(".")[0] + "._config")


def test_each_package_reads_its_own_envelope_by_default(exc: ModuleType) -> None:
    body = {"message": "Nope", "why": "because", "title": "T", "detail": "D", "retryAfter": 3}
    err = exc.make_status_error(make_response(429, body))
    assert err.envelope is envelope_of(exc, "reloop" if exc.__name__.startswith("reloop") else "problem")
    if exc.__name__.startswith("reloop"):
        assert (err.message, err.why, err.retry_after_body, err.retry_after) == ("Nope", "because", 3.0, 3.0)
    else:  # problem details lead; the body's retryAfter is no field of this API
        assert (err.message, err.retry_after_body, err.retry_after) == ("D", None, None)
        assert not hasattr(err, "why")


def test_declared_fields_become_attributes_and_show_where_declared(exc: ModuleType) -> None:
    cfg = config_of(exc)
    envelope = cfg.ErrorEnvelope(
        fields=(
            cfg.ErrorField("hint", paths=("hint", "meta.hint"), shown="message"),
            cfg.ErrorField("docs", paths=("meta.docs",), shown="note", label="docs: "),
            cfg.ErrorField("trace", paths=("trace",)),
        ),
        retry_after_field="wait_s",
    )
    body = {"message": "Denied", "meta": {"hint": "ask an admin", "docs": "https://d"}, "trace": "t-1", "wait_s": "4"}
    err = exc.make_status_error(make_response(429, body), envelope=envelope)
    assert (err.hint, err.docs, err.trace) == ("ask an admin", "https://d", "t-1")
    assert err.retry_after == err.retry_after_body == 4.0
    assert str(err) == "429 Too Many Requests: Denied — ask an admin (docs: https://d) (retry after 4 s)"
    assert not hasattr(err, "why")
    bare = exc.make_status_error(make_response(400, {"message": "m"}), envelope=envelope)
    assert (bare.hint, bare.docs, bare.trace) == (None, None, None)


def test_item_keys_the_envelope_declares_come_first(exc: ModuleType) -> None:
    cfg = config_of(exc)
    envelope = cfg.ErrorEnvelope(item_field=("attr",), item_detail=("problem",), item_pointer=("at",))
    body = {"errors": [{"attr": "email", "problem": "bad", "message": "ignored"}, {"at": "/x", "msg": "m"}]}
    err = exc.make_status_error(make_response(400, body), envelope=envelope)
    assert err.errors == [exc.ErrorDetail(field="email", detail="bad"), exc.ErrorDetail(pointer="/x", detail="m")]


def test_an_envelope_field_not_declared_is_refused(exc: ModuleType) -> None:
    response = make_response(400, {"message": "m"})
    with pytest.raises(TypeError, match="nonsense"):
        exc.APIStatusError("m", response=response, envelope=exc.Envelope(), nonsense="x")


def test_rate_limit_wait_error_carries_the_fields_as_none(exc: ModuleType) -> None:
    err = exc.RateLimitWaitError(retry_after=3.0, group=None, reason="window", waited=0.0, max_wait=1.0)
    for f in err.envelope.fields:
        assert getattr(err, f.name) is None
    assert (err.title, err.detail, err.code, err.errors) == (None, None, None, [])


def test_envelope_fields_never_shadow_the_attributes_of_errors(exc: ModuleType) -> None:
    from codegen.spec.extensions import ERROR_ATTRIBUTES

    err = build(exc, 429, {"message": "m"})
    wait = exc.RateLimitWaitError(retry_after=3.0, group=None, reason="", waited=0.0, max_wait=1.0)
    public = {n for n in dir(err) if not n.startswith("_")} | {n for n in vars(wait) if not n.startswith("_")}
    assert public - {f.name for f in wait.envelope.fields} <= ERROR_ATTRIBUTES
