"""Reloop webhook signature verification (Reloop-Signature: t=...,v1=...)."""

import hashlib
import hmac
import importlib
import json
from types import ModuleType

import pytest

# Reply.io documents no webhook signatures, so only the Reloop package ships the verifier;
# test_reply_has_no_verifier pins that.
PACKAGES = ("reloop",)
SECRET = "whsec_test_SuperSecretValue_42"
T = 1_700_000_000
PAYLOAD = b'{"id":"whev_1","type":"email.delivered","created_at":"2026-01-01T00:00:00Z","data":{"email_id":"em_1"}}'


@pytest.fixture(params=PACKAGES)
def wh(request: pytest.FixtureRequest) -> ModuleType:
    return importlib.import_module(f"{request.param}._webhooks")


def test_reply_has_no_verifier() -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("replyio._webhooks")
    assert not hasattr(importlib.import_module("replyio"), "verify_signature")


@pytest.fixture
def exc(wh: ModuleType) -> ModuleType:
    return importlib.import_module(wh.__name__.rpartition(".")[0] + "._exceptions")


def reference_signature(payload: bytes, secret: str, t: int) -> str:
    """Independent computation of the documented scheme: hex HMAC-SHA256 of "t.body"."""
    return hmac.new(secret.encode(), str(t).encode() + b"." + payload, hashlib.sha256).hexdigest()


def header_for(payload: bytes = PAYLOAD, secret: str = SECRET, t: int = T) -> str:
    return f"t={t},v1={reference_signature(payload, secret, t)}"


def test_sign_payload_matches_reference(wh: ModuleType) -> None:
    assert wh.sign_payload(PAYLOAD, SECRET, timestamp=T) == header_for()
    assert wh.sign_payload(PAYLOAD.decode(), SECRET, timestamp=T) == header_for()


def test_signature_header_name(wh: ModuleType) -> None:
    assert wh.SIGNATURE_HEADER == "Reloop-Signature" and wh.DEFAULT_TOLERANCE == 300


def test_valid_signature(wh: ModuleType) -> None:
    assert wh.verify_signature(PAYLOAD, header_for(), SECRET, now=T + 10) is None


def test_valid_signature_str_payload(wh: ModuleType) -> None:
    assert wh.verify_signature(PAYLOAD.decode(), header_for(), SECRET, now=T) is None


def test_non_ascii_body(wh: ModuleType) -> None:
    body = '{"subject":"Grüße ✓"}'.encode()
    header = header_for(body)
    wh.verify_signature(body, header, SECRET, now=T)
    wh.verify_signature(body.decode(), header, SECRET, now=T)


def test_wrong_secret(wh: ModuleType, exc: ModuleType) -> None:
    with pytest.raises(exc.WebhookVerificationError) as info:
        wh.verify_signature(PAYLOAD, header_for(secret="other_secret"), SECRET, now=T)
    assert str(info.value) == (
        "webhook signature does not match the payload (wrong secret, or the body was modified or re-serialised)"
    )
    assert isinstance(info.value, exc.APIError)


def test_modified_body(wh: ModuleType, exc: ModuleType) -> None:
    tampered = PAYLOAD.replace(b"em_1", b"em_2")
    with pytest.raises(exc.WebhookVerificationError, match="does not match"):
        wh.verify_signature(tampered, header_for(), SECRET, now=T)


def test_reserialised_body_fails(wh: ModuleType, exc: ModuleType) -> None:
    reserialised = json.dumps(json.loads(PAYLOAD)).encode()  # adds spaces
    assert reserialised != PAYLOAD
    with pytest.raises(exc.WebhookVerificationError):
        wh.verify_signature(reserialised, header_for(), SECRET, now=T)


def test_signature_from_other_timestamp_fails(wh: ModuleType, exc: ModuleType) -> None:
    forged = f"t={T + 1},v1={reference_signature(PAYLOAD, SECRET, T)}"
    with pytest.raises(exc.WebhookVerificationError, match="does not match"):
        wh.verify_signature(PAYLOAD, forged, SECRET, now=T)


def test_expired(wh: ModuleType, exc: ModuleType) -> None:
    with pytest.raises(exc.WebhookVerificationError) as info:
        wh.verify_signature(PAYLOAD, header_for(), SECRET, now=T + 301)
    assert str(info.value) == ("webhook timestamp is too old: 301 s away from now, tolerance is 300 s")


def test_at_tolerance_boundary(wh: ModuleType) -> None:
    wh.verify_signature(PAYLOAD, header_for(), SECRET, now=T + 300)
    wh.verify_signature(PAYLOAD, header_for(), SECRET, now=T - 300)


def test_from_the_future(wh: ModuleType, exc: ModuleType) -> None:
    with pytest.raises(exc.WebhookVerificationError, match="too far in the future"):
        wh.verify_signature(PAYLOAD, header_for(), SECRET, now=T - 301)


def test_custom_tolerance(wh: ModuleType, exc: ModuleType) -> None:
    wh.verify_signature(PAYLOAD, header_for(), SECRET, tolerance=1000, now=T + 900)
    with pytest.raises(exc.WebhookVerificationError, match="tolerance is 5 s"):
        wh.verify_signature(PAYLOAD, header_for(), SECRET, tolerance=5, now=T + 6)


def test_tolerance_none_disables_check(wh: ModuleType) -> None:
    wh.verify_signature(PAYLOAD, header_for(), SECRET, tolerance=None, now=T + 10**6)


@pytest.mark.parametrize("header", [None, "", "   "])
def test_missing_header(wh: ModuleType, exc: ModuleType, header: str | None) -> None:
    with pytest.raises(exc.WebhookVerificationError) as info:
        wh.verify_signature(PAYLOAD, header, SECRET, now=T)
    assert str(info.value) == "missing Reloop-Signature header"


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        ("garbage", "expected comma-separated key=value pairs"),
        ("t=1700000000;v1=abc", "the timestamp is not an integer"),
        ("t=abc,v1=abc", "the timestamp is not an integer"),
        ("t=-5,v1=abc", "the timestamp is not an integer"),
        ("t=1.5,v1=abc", "the timestamp is not an integer"),
        ("v1=abc", "no t= timestamp"),
        ("t=1700000000", "no v1= signature"),
        ("t=1700000000,v0=abc", "no v1= signature"),
        ("t=1,t=2,v1=abc", "more than one timestamp"),
        ("=x,t=1,v1=abc", "expected comma-separated key=value pairs"),
    ],
)
def test_malformed_header(wh: ModuleType, exc: ModuleType, header: str, problem: str) -> None:
    with pytest.raises(exc.WebhookVerificationError) as info:
        wh.verify_signature(PAYLOAD, header, SECRET, now=T)
    assert str(info.value) == f"malformed Reloop-Signature header: {problem}"


def test_multiple_v1_any_match(wh: ModuleType) -> None:
    good = reference_signature(PAYLOAD, SECRET, T)
    bad = reference_signature(PAYLOAD, "old_secret", T)
    wh.verify_signature(PAYLOAD, f"t={T},v1={bad},v1={good}", SECRET, now=T)
    wh.verify_signature(PAYLOAD, f"t={T},v1={good},v1={bad}", SECRET, now=T)
    wh.verify_signature(PAYLOAD, f"v1={bad}, t={T} ,v1={good}", SECRET, now=T)


def test_multiple_v1_none_match(wh: ModuleType, exc: ModuleType) -> None:
    bad1 = reference_signature(PAYLOAD, "old_secret", T)
    bad2 = "0" * 64
    with pytest.raises(exc.WebhookVerificationError, match="does not match"):
        wh.verify_signature(PAYLOAD, f"t={T},v1={bad1},v1={bad2}", SECRET, now=T)


def test_other_schemes_ignored_and_hex_case(wh: ModuleType) -> None:
    good = reference_signature(PAYLOAD, SECRET, T)
    wh.verify_signature(PAYLOAD, f"t={T},v0=deadbeef,v1={good.upper()}", SECRET, now=T)


def test_non_ascii_signature_does_not_crash(wh: ModuleType, exc: ModuleType) -> None:
    with pytest.raises(exc.WebhookVerificationError, match="does not match"):
        wh.verify_signature(PAYLOAD, f"t={T},v1=ü✓", SECRET, now=T)


def test_empty_secret_is_a_configuration_error(wh: ModuleType) -> None:
    with pytest.raises(ValueError, match="secret is empty"):
        wh.verify_signature(PAYLOAD, header_for(), "", now=T)


def test_secret_never_in_messages(wh: ModuleType, exc: ModuleType) -> None:
    cases = [
        (PAYLOAD, header_for(secret="x" * 10), T),
        (PAYLOAD + b" ", header_for(), T),
        (PAYLOAD, header_for(), T + 10_000),
        (PAYLOAD, "t=zz,v1=00", T),
        (PAYLOAD, None, T),
    ]
    for payload, header, now in cases:
        with pytest.raises(exc.WebhookVerificationError) as info:
            wh.verify_signature(payload, header, SECRET, now=now)
        assert SECRET not in str(info.value)
        assert SECRET not in repr(info.value)


def signed(event: dict[str, object]) -> tuple[bytes, str]:
    payload = json.dumps(event).encode()
    return payload, header_for(payload)


def test_construct_event_returns_the_typed_event(wh: ModuleType) -> None:
    models = importlib.import_module(wh.__name__.rpartition(".")[0] + ".models")
    event = wh.construct_event(PAYLOAD, header_for(), SECRET, now=T)
    assert type(event) is models.EmailEvent
    assert (event.id, event.type, event.data.email_id) == ("whev_1", "email.delivered", "em_1")
    assert event.created_at.year == 2026 and event.created_at.tzinfo is not None
    assert event.to_dict() == json.loads(PAYLOAD)


@pytest.mark.parametrize(
    ("kind", "data", "model"),
    [
        ("domain.verify", {"id": "dom_1", "name": "acme.com"}, "DomainEvent"),
        ("contact.create", {"id": "con_1", "email": "a@b.co"}, "ContactEvent"),
        ("email.received", {"email_id": "in_1", "mailbox_id": "mbx_1"}, "EmailReceivedEvent"),
    ],
)
def test_construct_event_picks_the_member_by_type(wh: ModuleType, kind: str, data: object, model: str) -> None:
    models = importlib.import_module(wh.__name__.rpartition(".")[0] + ".models")
    payload, header = signed({"id": "whev_2", "type": kind, "created_at": "2026-01-01T00:00:00Z", "data": data})
    event = wh.construct_event(payload, header, SECRET, now=T)
    assert type(event) is getattr(models, model)
    assert event.type == kind


def test_construct_event_is_lenient_like_responses(wh: ModuleType, caplog: pytest.LogCaptureFixture) -> None:
    models = importlib.import_module(wh.__name__.rpartition(".")[0] + ".models")
    # A domain event without the domain's required id and with a timestamp that is no date: still
    # the domain event (its `type` says so), the values kept as sent, a debug line about it.
    sent = {"id": "whev_3", "type": "domain.create", "created_at": "yesterday", "data": {"name": "acme.com"}, "new": 1}
    payload, header = signed(sent)
    with caplog.at_level("DEBUG"):
        event = wh.construct_event(payload, header, SECRET, now=T)
    assert type(event) is models.DomainEvent
    assert type(event.data) is models.DomainEventData
    assert (event.created_at, event.data.name, event.model_extra) == ("yesterday", "acme.com", {"new": 1})
    assert "Webhook event does not match the declared type" in caplog.text


def test_construct_event_verifies_first(wh: ModuleType, exc: ModuleType) -> None:
    with pytest.raises(exc.WebhookVerificationError, match="does not match"):
        wh.construct_event(PAYLOAD, header_for(secret="nope_nope"), SECRET, now=T)
    with pytest.raises(exc.WebhookVerificationError, match="too old"):
        wh.construct_event(PAYLOAD, header_for(), SECRET, now=T + 301)


@pytest.mark.parametrize(
    ("body", "problem"),
    [(b"not json", "not valid JSON"), (b"[1, 2]", "not a JSON object")],
)
def test_construct_event_rejects_non_object(wh: ModuleType, exc: ModuleType, body: bytes, problem: str) -> None:
    header = wh.sign_payload(body, SECRET, timestamp=T)
    with pytest.raises(exc.WebhookVerificationError, match=problem):
        wh.construct_event(body, header, SECRET, now=T)


def test_sign_payload_default_timestamp_round_trips(wh: ModuleType) -> None:
    header = wh.sign_payload(PAYLOAD, SECRET)
    wh.verify_signature(PAYLOAD, header, SECRET)  # default now and tolerance
