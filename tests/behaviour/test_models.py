"""Models: tolerant of new server values, and the typed webhook payloads of both APIs."""

from __future__ import annotations

import json

import pytest

from .conftest import Harness, json_response
from .samples import DOMAIN_BODY


def test_unknown_enum_value_does_not_break_parsing(reloop: Harness) -> None:
    body = {**DOMAIN_BODY, "status": "quarantined"}
    client = reloop.client(lambda r: json_response(200, body))
    domain = reloop.run(client.domains.retrieve("dom_1"))
    assert domain.status == "quarantined"
    assert domain.to_dict()["status"] == "quarantined"


def test_known_enum_value_is_the_member(reloop: Harness) -> None:
    body = DOMAIN_BODY
    client = reloop.client(lambda r: json_response(200, body))
    domain = reloop.run(client.domains.retrieve("dom_1"))
    assert domain.status is reloop.module.models.DomainStatus.ACTIVE


def test_reloop_signed_webhook_parses_into_the_event_union() -> None:
    import reloop
    from reloop.models import EmailEvent, WebhookEvent

    payload = json.dumps(
        {
            "id": "whev_1",
            "type": "email.delivered",
            "created_at": "2026-03-23T10:00:00.000Z",
            "data": {"email_id": "em_1", "to": ["jane@example.com"]},
        }
    ).encode()
    header = reloop.sign_payload(payload, "whsec_x", timestamp=1_700_000_000)
    event = WebhookEvent.model_validate(reloop.construct_event(payload, header, "whsec_x", now=1_700_000_010)).root
    assert isinstance(event, EmailEvent) and event.data.email_id == "em_1"
    with pytest.raises(reloop.WebhookVerificationError):
        reloop.construct_event(payload + b" ", header, "whsec_x", now=1_700_000_010)


def test_reply_webhook_payload_model() -> None:
    from replyio.models import WebhookEventEmailReplied

    delivery = {
        "event": {
            "date": "2026-03-09T08:12:03.417Z",
            "id": "9d0c7b52-3e1a-4f6b-8a2d-1c4e5f6a7b8c",
            "type": "email_replied",
            "user_id": 1,
            "team_id": 2,
            "subscription_id": 3,
        },
        "contact_fields": {"id": 1001, "email": "jane@example.com"},
        "reply_reason": "EmailDetected",
        "something_new": True,
    }
    event = WebhookEventEmailReplied.model_validate(delivery)
    assert event.event.type == "email_replied" and event.contact_fields.id == 1001
    assert event.reply_reason == "EmailDetected" and event.model_extra["something_new"] is True
