"""One representative call per package, with a body that parses into its model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sample:
    call: Callable[[Any], Any]  # a GET returning a model
    path: str
    body: dict[str, Any]
    field: str  # a Python attribute of the parsed model
    value: Any
    post: Callable[[Any], Any]  # a POST (not idempotent)
    post_path: str
    post_body: dict[str, Any]


# Every field the domain model always sends (responses missing one are rejected).
DOMAIN_BODY: dict[str, Any] = {
    "object": "domain",
    "id": "dom_1",
    "domain": "example.com",
    "status": "active",
    "userVerifiedDomain": True,
    "systemVerified": True,
    "customReturnPath": "inbound",
    "trackingSubdomain": "link",
    "isClickTrackingEnabled": False,
    "isOpenTrackingEnabled": False,
    "tls": "opportunistic",
    "isTrackingDomain": False,
    "isSendingEmailEnabled": True,
    "isReceivingEmailEnabled": True,
    "verificationFailedReason": None,
    "dnsRecords": [],
    "lastVerifiedAt": None,
    "createdAt": "2026-01-01T00:00:00Z",
    "updatedAt": "2026-01-02T00:00:00Z",
}

SAMPLES = {
    "replyio": Sample(
        call=lambda c: c.whoami.retrieve(),
        path="/v3/whoami",
        body={"userId": 7, "username": "ada", "teamId": 3},
        field="user_id",
        value=7,
        post=lambda c: c.contacts.create(email="ada@example.com"),
        post_path="/v3/contacts",
        post_body={"id": 1, "email": "ada@example.com"},
    ),
    "reloop": Sample(
        call=lambda c: c.domains.retrieve("dom_1"),
        path="/api/domain/v1/dom_1",
        body=DOMAIN_BODY,
        field="domain",
        value="example.com",
        post=lambda c: c.mail.send(from_="a@example.com", to=["b@example.com"], subject="Hi", html="<p>x</p>"),
        post_path="/api/mail/v1/send",
        post_body={
            "success": True,
            "id": "em_1",
            "messageId": "<m1@example.com>",
            "status": "sent",
            "timestamp": "2026-01-01T00:00:00Z",
        },
    ),
}
