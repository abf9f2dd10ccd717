"""A 2xx body that does not match its model still becomes that model (the server is the truth);
strict_response_validation=True raises instead. Non-JSON where JSON is declared always raises."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from .conftest import Harness, json_response

CONTACT = {"id": 5, "email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace"}


def _reply_contact(**changes: Any) -> dict[str, Any]:
    body = dict(CONTACT)
    for key, value in changes.items():
        if value is ...:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def test_missing_required_and_mistyped_fields_still_give_the_model(
    reply: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    body = _reply_contact(email=..., id="five", brandNewField={"x": 1})
    client = reply.client(lambda r: json_response(200, body))
    with caplog.at_level(logging.DEBUG):
        contact = reply.run(client.contacts.retrieve(5))
    assert type(contact).__name__ == "Contact"
    assert contact.first_name == "Ada" and contact.last_name == "Lovelace"  # Python names
    assert contact.id == "five"  # kept as sent
    assert contact.model_extra == {"brandNewField": {"x": 1}}
    assert not hasattr(contact, "email") or contact.email is None
    mismatch = [r for r in caplog.records if "does not match the declared type" in r.getMessage()]
    assert mismatch and mismatch[0].levelno == logging.DEBUG and "/v3/contacts/5" in mismatch[0].getMessage()


def test_nested_objects_become_their_models_too(reloop: Harness) -> None:
    body = {
        "id": "dom_1",
        "domain": "example.com",
        "status": "active",
        "createdAt": "not a date",
        "updatedAt": "2026-01-02T00:00:00Z",
        "dnsRecords": [{"recordType": "TXT", "name": 42, "unexpected": True}],
    }
    client = reloop.client(lambda r: json_response(200, body))
    domain = reloop.run(client.domains.retrieve("dom_1"))
    assert type(domain).__name__ == "Domain" and domain.created_at == "not a date"
    assert domain.updated_at.year == 2026
    record = domain.dns_records[0]
    assert isinstance(record, reloop.module.models.DnsRecord)
    assert record.record_type == "TXT" and record.model_extra == {"unexpected": True}


def test_strict_response_validation_raises(reply: Harness) -> None:
    body = _reply_contact(email=..., id="five")
    strict = reply.client(lambda r: json_response(200, body), strict_response_validation=True)
    with pytest.raises(reply.module.APIResponseValidationError, match="does not match the declared type"):
        reply.run(strict.contacts.retrieve(5))
    lenient = strict.with_options(strict_response_validation=False)
    assert reply.run(lenient.contacts.retrieve(5)).first_name == "Ada"
    again = lenient.with_options(strict_response_validation=True)
    with pytest.raises(reply.module.APIResponseValidationError):
        reply.run(again.contacts.retrieve(5))


def test_lenient_pages_and_raw_responses(reply: Harness) -> None:
    page_body = {"items": [_reply_contact(id="x"), _reply_contact()], "hasMore": False}
    client = reply.client(
        lambda r: json_response(200, page_body if r.url.path == "/v3/contacts" else _reply_contact(id="x"))
    )
    page = reply.run(client.contacts.list())
    assert [c.first_name for c in page.items] == ["Ada", "Ada"] and page.items[0].id == "x"
    raw = reply.run(client.contacts.with_raw_response.retrieve(5))
    assert raw.parse().first_name == "Ada"
    strict = client.with_options(strict_response_validation=True)
    with pytest.raises(reply.module.APIResponseValidationError):
        reply.run(strict.contacts.list())


def test_non_json_where_json_is_declared_always_raises(h: Harness) -> None:
    from .samples import SAMPLES

    html = httpx.Response(200, text="<html>proxy login</html>", headers={"content-type": "text/html"})
    client = h.client(lambda r: html)
    with pytest.raises(h.module.APIResponseValidationError, match="Expected a JSON body"):
        h.run(SAMPLES[h.pkg].call(client))
