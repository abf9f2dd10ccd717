"""Downstream code as a Reloop user writes it; type-checked, never run (not a test module).

`make typecheck` runs mypy --strict (with --disallow-any-expr) and pyright in strict mode on this
file: every value read here must have a real type, and assert_type pins the important ones.
"""

from __future__ import annotations

import asyncio
import datetime
from typing import Literal, assert_type

import httpx
from reloop import (
    APIResponse,
    AsyncPage,
    AsyncReloop,
    NotFoundError,
    RateLimit,
    RateLimitError,
    Reloop,
    SyncPage,
    WebhookVerificationError,
    construct_event,
)
from reloop.models import Contact, Domain, DomainEvent, EmailEvent, EmailTag, SendEmailResponse
from reloop.params import EmailTagParam


def manage_domains(client: Reloop) -> list[str]:
    page = client.domains.list(limit=50, status="active")
    assert_type(page, SyncPage[Domain])
    first: list[Domain] = page.items
    names = [domain.domain for domain in first]
    while page.has_next_page():
        page = page.next_page()
        names.extend(domain.domain for domain in page.items)
    created = client.domains.create(domain="example.com", click_tracking=True, tls="enforced")
    assert_type(created, Domain)
    created_at: datetime.datetime = created.created_at
    status: str = created.status
    records = created.dns_records or []
    hosts = [record.name for record in records]
    print(created_at.isoformat(), status, hosts)
    client.domains.update(created.id, open_tracking=True)
    return names


def send_mail(client: Reloop) -> str | None:
    tag: EmailTagParam = {"name": "campaign", "value": "welcome"}
    sent = client.mail.send(
        from_="hello@example.com",
        to=["ada@example.com"],
        subject="Hi",
        html="<p>Hello</p>",
        tags=[tag, EmailTag(name="batch", value="1")],
    )
    assert_type(sent, SendEmailResponse)
    ok: bool = sent.success
    return sent.id if ok else None


def contacts(client: Reloop) -> int:
    count = 0
    for contact in client.contacts.list(search="ada"):
        assert_type(contact, Contact)
        email: str = contact.email
        first_name: str | None = contact.first_name
        print(email, first_name)
        count += 1
    try:
        client.contacts.retrieve("con_missing")
    except NotFoundError as error:
        code: int = error.status_code
        why: str | None = error.why
        print(code, why)
    except RateLimitError as error:
        wait: float | None = error.retry_after
        print(wait)
    return count


def raw_and_options(client: Reloop) -> Domain:
    raw = client.domains.with_raw_response.retrieve("dom_1")
    assert_type(raw, APIResponse[Domain])
    request_id: str | None = raw.headers.get("x-request-id")
    print(raw.status_code, request_id)
    quick = client.with_options(timeout=5.0, max_retries=0)
    assert_type(quick, Reloop)
    return raw.parse()


def handle_webhook(raw_body: bytes, signature: str | None, secret: str) -> str:
    try:
        event = construct_event(raw_body, signature, secret)
    except WebhookVerificationError as error:
        return f"rejected: {error.message}"
    kind: str = event.type
    received: datetime.datetime = event.created_at
    if isinstance(event, EmailEvent):
        email_id: str = event.data.email_id
        subject: str | None = event.data.subject
        return f"{kind} {email_id} {subject}"
    if isinstance(event, DomainEvent):
        assert_type(
            event.type, Literal["domain.create", "domain.update", "domain.delete", "domain.undelete", "domain.verify"]
        )
        return f"{kind} {event.data.id} at {received.isoformat()}"
    return kind


async def async_usage() -> list[str]:
    async with AsyncReloop(api_key="rl_key", rate_limits=[RateLimit(requests=10, per=1.0)]) as client:
        page = await client.domains.list()
        assert_type(page, AsyncPage[Domain])
        names = [domain.domain async for domain in page]
        names += [domain.domain async for domain in client.domains.list(limit=50)]
        domain = await client.domains.retrieve("dom_1")
        names.append(domain.domain)
        return names


def main() -> None:
    with Reloop(api_key="rl_key", http_client=httpx.Client(timeout=10.0)) as client:
        manage_domains(client)
        send_mail(client)
        contacts(client)
        raw_and_options(client)
    print(handle_webhook(b"{}", None, "whsec_test"))
    asyncio.run(async_usage())
