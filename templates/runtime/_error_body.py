"""Reading the body of an error response, whatever came back: JSON in the API's envelope (its
``ErrorEnvelope``) or in a common shape, bare strings, HTML pages from a proxy, nothing at all.

Never raises: a body that cannot be read still gives a message (a snippet, or the reason phrase).
"""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import httpx

from ._config import ErrorEnvelope
from ._error_text import (
    FIELD_LIMIT,
    SNIPPET_LIMIT,
    clip,
    compact_json,
    first_str,
    html_snippet,
    looks_like_html,
    number_or_none,
    str_or_none,
    text_snippet,
)
from ._retry import parse_retry_after

BodyKind = Literal["empty", "json", "html", "text"]

_MAX_LISTED_ERRORS = 5
# Common spellings of the parts of one `errors` entry, tried after those the envelope declares.
_POINTER_KEYS = ("pointer",)
_FIELD_KEYS = ("field", "path", "param", "property", "name")
_DETAIL_KEYS = ("detail", "message", "msg", "error", "description", "reason")


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One item of an error's ``errors`` list.

    ``pointer`` is an RFC 6901 JSON Pointer to the offending value (or the bare name of a
    query/path parameter), ``field`` the name of the offending field, ``detail`` the text. An API
    sends one or the other location, or none (an item that is a plain string sets ``detail`` only).
    """

    pointer: str | None = None
    field: str | None = None
    detail: str | None = None

    @property
    def location(self) -> str | None:
        """``pointer`` or ``field``; None when the error is about the whole body."""
        return self.pointer or self.field or None

    def __str__(self) -> str:
        location, detail = self.location, self.detail
        if location and detail:
            return f"{location}: {detail}"
        return detail or location or ""


def parse_error_items(raw: object, envelope: ErrorEnvelope) -> list[ErrorDetail]:
    if isinstance(raw, str):
        return [ErrorDetail(detail=raw)] if raw.strip() else []
    if isinstance(raw, Mapping):
        # {"name": ["is required"]}: the ASP.NET / Rails shape some gateways send.
        mapped: list[ErrorDetail] = []
        for key, value in raw.items():
            messages = value if isinstance(value, list) else [value]
            for message in messages:
                text = message if isinstance(message, str) else compact_json(message)
                mapped.append(ErrorDetail(field=str(key), detail=text))
        return mapped
    if not isinstance(raw, list):
        return []
    pointer_keys = (*envelope.item_pointer, *_POINTER_KEYS)
    field_keys = (*envelope.item_field, *_FIELD_KEYS)
    detail_keys = (*envelope.item_detail, *_DETAIL_KEYS)
    items: list[ErrorDetail] = []
    for item in raw:
        if isinstance(item, str):
            if item.strip():
                items.append(ErrorDetail(detail=item))
        elif isinstance(item, Mapping):
            pointer = next((p for p in (item.get(k) for k in pointer_keys) if isinstance(p, str)), None)
            detail = first_str(item, *detail_keys)
            items.append(
                ErrorDetail(
                    pointer=pointer,
                    field=first_str(item, *field_keys),
                    detail=detail if detail is not None else compact_json(item),
                )
            )
        elif item is not None:
            items.append(ErrorDetail(detail=compact_json(item)))
    return items


def errors_text(errors: Sequence[ErrorDetail]) -> str:
    shown = "; ".join(s for s in (str(e) for e in errors[:_MAX_LISTED_ERRORS]) if s)
    hidden = len(errors) - _MAX_LISTED_ERRORS
    if hidden > 0:
        shown = f"{shown}; and {hidden} more"
    return shown


def read_body(response: httpx.Response) -> tuple[object, BodyKind]:
    try:
        content = response.content
    except httpx.ResponseNotRead:
        return None, "empty"
    if not content.strip():
        return None, "empty"
    text = response.text
    try:
        return json.loads(text), "json"
    except (ValueError, RecursionError):
        pass
    content_type = response.headers.get("content-type", "")
    return text, ("html" if looks_like_html(text, content_type) else "text")


def _at(data: Mapping[str, object], path: str) -> object:
    """The value at a key, or at keys joined by dots through nested objects."""
    if path in data:
        return data[path]
    value: object = data
    for key in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


@dataclass
class ParsedError:
    """What an error body says, before it becomes an ``APIStatusError``."""

    message: str
    body: object
    kind: BodyKind
    retry_after: float | None
    fields: dict[str, str | None] = field(default_factory=dict)
    title: str | None = None
    detail: str | None = None
    code: str | None = None
    errors: list[ErrorDetail] = field(default_factory=list)
    retry_after_body: float | None = None


def parse_error_response(response: httpx.Response, envelope: ErrorEnvelope, *, now: float) -> ParsedError:
    body, kind = read_body(response)
    reason = httpx.codes.get_reason_phrase(response.status_code)
    fallback = reason or f"HTTP {response.status_code}"
    retry_after = parse_retry_after(response.headers, body, now=now, body_field=envelope.retry_after_field)

    if kind == "empty":
        return ParsedError(fallback, None, kind, retry_after)
    if kind in ("html", "text"):
        text = body if isinstance(body, str) else ""
        return ParsedError(html_snippet(text) if kind == "html" else text_snippet(text), body, kind, retry_after)
    if isinstance(body, str):  # a JSON string
        return ParsedError(clip(body, FIELD_LIMIT) or fallback, body, kind, retry_after)
    if isinstance(body, list):
        errors = parse_error_items(body, envelope)
        message = errors_text(errors) or clip(compact_json(body), SNIPPET_LIMIT)
        return ParsedError(message, body, kind, retry_after, errors=errors)
    if not isinstance(body, dict):  # null, a number, true/false
        return ParsedError(fallback if body is None else compact_json(body), body, kind, retry_after)

    data: Mapping[str, object] = body
    nested = data.get("error")
    inner: Mapping[str, object] = nested if isinstance(nested, dict) else {}
    title = first_str(data, "title")
    detail = first_str(data, "detail")
    raw_errors = data.get("errors")
    if raw_errors is None:
        raw_errors = inner.get("errors", inner.get("details"))
    errors = parse_error_items(raw_errors, envelope)
    body_message = (
        first_str(data, "message")
        or first_str(inner, "message")
        or first_str(data, "error_description", "error", "msg")
    )
    found = (detail or title or body_message) if envelope.problem_details else (body_message or detail or title)
    message = found if found is not None else errors_text(errors) or clip(compact_json(body), SNIPPET_LIMIT)
    fields = {
        f.name: next((s for s in (str_or_none(_at(data, path)) for path in f.paths) if s is not None), None)
        for f in envelope.fields
    }
    field_name = envelope.retry_after_field
    return ParsedError(
        message,
        body,
        kind,
        retry_after,
        fields=fields,
        title=title,
        detail=detail,
        code=first_str(data, "code") or first_str(inner, "code"),
        errors=errors,
        retry_after_body=number_or_none(data.get(field_name)) if field_name else None,
    )
