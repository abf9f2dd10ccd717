"""The one line ``str(error)`` gives for a status error.

``<status> <code or reason>: <headline> — <elaboration> (<note>) ...``: the headline is the body's
message (for problem details, its title), the elaboration the envelope's fields shown with the
message and the ``errors`` list (or the detail), the notes the envelope's noted fields, the
server's wait hint and the request id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._error_body import BodyKind, errors_text
from ._error_text import FIELD_LIMIT, clip

if TYPE_CHECKING:
    from ._exceptions import APIStatusError


def _field(error: APIStatusError, name: str) -> str | None:
    value = getattr(error, name, None)
    return value if isinstance(value, str) and value else None


def _headline(error: APIStatusError, kind: BodyKind, reason: str) -> tuple[str, str]:
    if kind != "json":
        return (error.message if kind != "empty" else ""), ""
    if error.envelope.problem_details:
        headline = error.title or error.detail or error.message
    else:
        headline = error.message
    pieces = [v for f in error.envelope.fields if f.shown == "message" and (v := _field(error, f.name))]
    text = errors_text(error.errors)
    if text:
        if text != headline:
            pieces.append(text)
    elif error.detail and error.detail != headline:
        pieces.append(error.detail)
    elaboration = " — ".join(clip(p, FIELD_LIMIT) for p in pieces)
    if headline.lower() == reason.lower():
        # "404 Not Found: Not Found" says nothing twice.
        headline, elaboration = elaboration, ""
    return clip(headline, FIELD_LIMIT), elaboration


def _notes(error: APIStatusError, kind: BodyKind, show_retry_after: bool) -> list[str]:
    notes: list[str] = []
    if kind == "empty":
        notes.append("empty response body")
        challenge = error.headers.get("www-authenticate")
        if error.status_code == 401 and challenge:
            notes.append(f"WWW-Authenticate: {clip(challenge, 100)}")
    elif kind == "html":
        notes.append("HTML response")
    for f in error.envelope.fields:
        value = _field(error, f.name) if f.shown == "note" else None
        if value:
            notes.append(f"{f.label}{clip(value, FIELD_LIMIT)}")
    if show_retry_after and error.retry_after is not None:
        notes.append(f"retry after {error.retry_after:g} s")
    if error.request_id:
        notes.append(f"request id: {clip(error.request_id, 100)}")
    return notes


def status_summary(error: APIStatusError, kind: BodyKind, *, show_retry_after: bool) -> str:
    """The error's line; `kind` is what its body was, `show_retry_after` adds the wait hint."""
    reason = error.reason_phrase
    line = f"{error.status_code} {error.code or reason}".rstrip()
    headline, elaboration = _headline(error, kind, reason)
    if headline:
        line = f"{line}: {headline}"
    if elaboration:
        line = f"{line} — {elaboration}"
    for note in _notes(error, kind, show_retry_after):
        line = f"{line} ({note})"
    return line
