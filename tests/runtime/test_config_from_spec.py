"""Every per-API fact the runtime uses comes from the spec's x-sdk: a made-up API declares its own
error fields, wait-hint field, error-item keys, quota-usage header and webhook scheme, and the
package generated from it follows them, through its real client on a mock transport."""

from __future__ import annotations

import hashlib
import hmac
import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from codegen.output.write import write_tree
from codegen.pipeline import generate_package

SPEC = """
openapi: 3.1.0
info: {title: Acme Generic, version: 1.0.0}
servers: [{url: "https://api.acme.test"}]
x-sdk:
  package: acme_generic
  client: Acme
  error_envelope:
    fields:
      hint: {paths: [hint, meta.hint], shown: message, description: How to recover.}
      docs: {paths: [docs], shown: note, label: "docs: "}
      trace: {paths: [meta.trace]}
    retry_after_field: wait_seconds
    items: {field: [attr], detail: [text]}
  quota_usage_headers: {daily_used: x-acme-used-today}
  webhook_signature:
    header: Acme-Signature
    tolerance: 60
    timestamp_key: ts
    signature_key: s1
    digest: sha512
    event_model: Event
paths:
  /things:
    get:
      operationId: listThings
      x-sdk: {resource: things, method: list}
      responses:
        "200":
          description: The things.
          content:
            application/json:
              schema: {type: object, properties: {ok: {type: boolean}}}
components:
  schemas:
    Event:
      type: object
      required: [id, kind]
      properties:
        id: {type: string}
        kind: {type: string}
        at: {type: string, format: date-time}
"""
SECRET = "acme_secret_value"
T = 1_700_000_000


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    root = tmp_path_factory.mktemp("acme")
    spec = root / "acme.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    write_tree(root / "out", generate_package(spec).files)
    sys.path.insert(0, str(root / "out" / "src"))
    try:
        yield importlib.import_module("acme_generic")
    finally:
        sys.path.remove(str(root / "out" / "src"))
        for name in [n for n in sys.modules if n == "acme_generic" or n.startswith("acme_generic.")]:
            del sys.modules[name]


def test_errors_carry_and_show_the_declared_fields(acme: ModuleType) -> None:
    body = {
        "message": "Slow down",
        "meta": {"hint": "wait a little", "trace": "tr-9"},
        "docs": "https://acme.test/docs/429",
        "wait_seconds": 2,
        "errors": [{"attr": "limit", "text": "too high"}],
    }

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json=body, headers={"x-acme-used-today": "41"})

    client = acme.Acme(http_client=httpx.Client(transport=httpx.MockTransport(answer)), max_retries=0)
    with pytest.raises(acme.RateLimitError) as raised:
        client.things.list()
    err = raised.value
    assert (err.hint, err.docs, err.trace) == ("wait a little", "https://acme.test/docs/429", "tr-9")
    assert err.retry_after == err.retry_after_body == 2.0
    assert err.errors == [acme.ErrorDetail(field="limit", detail="too high")]
    assert str(err) == (
        "429 Too Many Requests: Slow down — wait a little — limit: too high"
        " (docs: https://acme.test/docs/429) (retry after 2 s)"
    )
    assert client.rate_limit_state[None].daily_used == 41
    assert not hasattr(err, "why")


def test_webhooks_follow_the_declared_scheme(acme: ModuleType) -> None:
    payload = json.dumps({"id": "ev_1", "kind": "thing.made", "at": "2026-01-01T00:00:00Z"}).encode()
    digest = hmac.new(SECRET.encode(), f"{T}.".encode() + payload, hashlib.sha512).hexdigest()
    assert acme.sign_payload(payload, SECRET, timestamp=T) == f"ts={T},s1={digest}"
    event = acme.construct_event(payload, f"ts={T},s1={digest}", SECRET, now=T + 59)
    assert type(event) is acme.models.Event
    assert (event.id, event.kind, event.at.year) == ("ev_1", "thing.made", 2026)
    exceptions = importlib.import_module("acme_generic._exceptions")
    with pytest.raises(exceptions.WebhookVerificationError, match="too old"):
        acme.construct_event(payload, f"ts={T},s1={digest}", SECRET, now=T + 61)
    with pytest.raises(exceptions.WebhookVerificationError, match="no s1= signature"):
        acme.verify_signature(payload, f"ts={T},v1={digest}", SECRET, now=T)


def test_a_plain_spec_gets_the_common_shapes_only(tmp_path: Path) -> None:
    spec = tmp_path / "plain.yaml"
    spec.write_text(SPEC.split("x-sdk:")[0] + "paths: {}\n", encoding="utf-8")
    files = generate_package(spec).files
    constants = next(text for name, text in files.items() if name.endswith("/_constants.py"))
    assert "ErrorEnvelope" not in constants and "QuotaUsageHeaders" not in constants
    assert not any(name.endswith("/_webhooks.py") for name in files)
