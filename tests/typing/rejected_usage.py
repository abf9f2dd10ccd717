"""Downstream code a type checker must reject: each line ending in a "rejected" comment must be
an error (tests/typing/test_rejected.py runs mypy on this file). Never run."""

from __future__ import annotations

from reloop import Reloop, construct_event
from reloop.params import EmailTagParam
from replyio import NotFoundError, Reply


def misspelt(reloop: Reloop, reply: Reply) -> None:
    reloop.domains.create(domian="example.com")  # rejected: misspelt keyword
    reloop.domains.create()  # rejected: a required body field is missing
    reloop.domains.create(domain="example.com", tls="sometimes")  # rejected: not an enum value
    tag: EmailTagParam = {"name": "a", "valeu": "b"}  # rejected: misspelt TypedDict key
    reloop.mail.send(from_="a@example.com", to="b@example.com", subject="s", tags=[{"nme": "x"}])  # rejected
    reply.contacts.create(first_name=1)  # rejected: wrong type
    reply.contacts.create(company_size="Eleven")  # rejected: not an enum value
    reply.contacts.create(custom_fields=[{"title": "Plan"}])  # rejected: key is a wire name, not this
    print(tag)


def webhook(raw_body: bytes, signature: str) -> None:
    event = construct_event(raw_body, signature, "whsec_test")
    print(event["type"])  # rejected: the event is a model, not a dict
    print(event.data.email_id)  # rejected: not every event type has an email


def envelope_fields(error: NotFoundError) -> None:
    print(error.title, error.detail)
    print(error.why)  # rejected: a field of another API's error envelope
