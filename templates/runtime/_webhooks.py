"""Verification of signed webhook deliveries, and the typed event they carry.

The scheme (``WEBHOOK_SCHEME``, from the spec's ``x-sdk.webhook_signature``; with the default
keys ``t`` and ``v1``):

* the signature header (``SIGNATURE_HEADER``) holds ``t=<unix seconds>,v1=<hex>[,v1=<hex>...]``;
* ``<hex>`` is an HMAC (SHA-256 unless the scheme says otherwise), keyed with the endpoint's
  signing secret, over the bytes ``f"{t}."`` followed by the raw request body, hex-encoded;
* several ``v1`` entries may be present (secret rotation); any one matching is enough;
* the timestamp must be within ``tolerance`` seconds (``DEFAULT_TOLERANCE``) of now.

The secret is used exactly as given, UTF-8 encoded, as the HMAC key: no prefix is stripped and
nothing is base64-decoded. ``construct_event`` parses a verified delivery into the spec's event
model, leniently as responses are (``_parsing``).
"""

from __future__ import annotations

import hmac
import json
import time
from typing import TYPE_CHECKING, cast

import pydantic

from ._constants import WEBHOOK_SCHEME
from ._exceptions import WebhookVerificationError
from ._parsing import Mismatch, parse_value

if TYPE_CHECKING:
    from ._constants import WebhookEventModel

__all__ = [
    "DEFAULT_TOLERANCE",
    "SIGNATURE_HEADER",
    "construct_event",
    "sign_payload",
    "verify_signature",
]

SIGNATURE_HEADER = WEBHOOK_SCHEME.header
DEFAULT_TOLERANCE = WEBHOOK_SCHEME.tolerance
_TIMESTAMP = WEBHOOK_SCHEME.timestamp_key
_SCHEME = WEBHOOK_SCHEME.signature_key


def _as_bytes(payload: bytes | str) -> bytes:
    return payload.encode("utf-8") if isinstance(payload, str) else payload


def _key(secret: str) -> bytes:
    if not secret:
        raise ValueError("the webhook signing secret is empty")
    return secret.encode("utf-8")


def _digest(payload: bytes, secret: str, timestamp: int) -> str:
    message = f"{timestamp}.".encode() + payload
    return hmac.new(_key(secret), message, WEBHOOK_SCHEME.digest).hexdigest()


def _parse_header(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        part = part.strip()
        if not part:
            continue
        name, sep, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise WebhookVerificationError(
                f"malformed {SIGNATURE_HEADER} header: expected comma-separated key=value pairs"
            )
        if name == _TIMESTAMP:
            if timestamp is not None:
                raise WebhookVerificationError(f"malformed {SIGNATURE_HEADER} header: more than one timestamp")
            if not value.isascii() or not value.isdigit():
                raise WebhookVerificationError(f"malformed {SIGNATURE_HEADER} header: the timestamp is not an integer")
            timestamp = int(value)
        elif name == _SCHEME:
            signatures.append(value)
        # Other schemes (v0, future versions) are ignored, not rejected.
    if timestamp is None:
        raise WebhookVerificationError(f"malformed {SIGNATURE_HEADER} header: no {_TIMESTAMP}= timestamp")
    if not signatures:
        raise WebhookVerificationError(f"malformed {SIGNATURE_HEADER} header: no {_SCHEME}= signature")
    return timestamp, signatures


def sign_payload(payload: bytes | str, secret: str, *, timestamp: int | None = None) -> str:
    """The signature header value the API would send for ``payload``.

    For tests of your own webhook handler. ``timestamp`` (unix seconds) defaults to now.
    """
    t = int(time.time()) if timestamp is None else int(timestamp)
    return f"{_TIMESTAMP}={t},{_SCHEME}={_digest(_as_bytes(payload), secret, t)}"


def verify_signature(
    payload: bytes | str,
    header: str | None,
    secret: str,
    *,
    tolerance: float | None = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> None:
    """Check that ``payload`` was signed with ``secret``; raise if not.

    ``payload`` must be the raw request body exactly as received (parsing and
    re-serialising JSON changes the bytes). ``header`` is the value of the
    ``SIGNATURE_HEADER`` header. ``tolerance`` is the accepted clock difference in seconds (None disables the
    check, for replaying stored deliveries); ``now`` (unix seconds) defaults to the
    clock.

    Raises ``WebhookVerificationError`` when the header is missing or malformed, the
    timestamp is outside the tolerance, or no signature (``v1=`` by default) matches.
    """
    _key(secret)  # an empty secret is a configuration error: fail first
    if header is None or not header.strip():
        raise WebhookVerificationError(f"missing {SIGNATURE_HEADER} header")
    timestamp, signatures = _parse_header(header)

    if tolerance is not None:
        current = time.time() if now is None else now
        age = current - timestamp
        if abs(age) > tolerance:
            when = "old" if age > 0 else "far in the future"
            raise WebhookVerificationError(
                f"webhook timestamp is too {when}: {abs(age):.0f} s away from now, tolerance is {tolerance:g} s"
            )

    expected = _digest(_as_bytes(payload), secret, timestamp).encode("ascii")
    matched = False
    for candidate in signatures:
        given = candidate.lower().encode("utf-8", "replace")
        # Check every candidate so timing does not reveal which one matched.
        matched |= hmac.compare_digest(expected, given)
    if not matched:
        raise WebhookVerificationError(
            "webhook signature does not match the payload (wrong secret, or the body was modified or re-serialised)"
        )


def construct_event(
    payload: bytes | str,
    header: str | None,
    secret: str,
    *,
    tolerance: float | None = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> WebhookEventModel:
    """Verify ``payload`` (see ``verify_signature``) and return the event it carries.

    The event is the spec's webhook event model (for a union of event types, the member its
    fields match), built leniently: a delivery with a field missing or of another type than
    declared still gives the model, with the values as sent. Raises ``WebhookVerificationError``
    when the signature does not verify or the payload is not a JSON object.
    """
    verify_signature(payload, header, secret, tolerance=tolerance, now=now)
    try:
        event = json.loads(_as_bytes(payload))
    except (ValueError, RecursionError) as exc:
        raise WebhookVerificationError("webhook payload is correctly signed but is not valid JSON") from exc
    if not isinstance(event, dict):
        raise WebhookVerificationError("webhook payload is correctly signed but is not a JSON object")
    model = WEBHOOK_SCHEME.event_model()
    if model is None:
        return cast("WebhookEventModel", event)
    try:
        parsed = parse_value(event, model, source="Webhook event")
    except Mismatch as exc:
        raise WebhookVerificationError(f"webhook payload is correctly signed but {exc}") from None
    if isinstance(parsed, pydantic.RootModel):
        parsed = parsed.root  # an event schema that is a union: its member, as responses give it
    return cast("WebhookEventModel", parsed)
