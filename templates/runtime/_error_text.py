"""Text helpers for error messages: one line, clipped, credentials scrubbed, HTML reduced to text."""

import html
import json
import re
from collections.abc import Mapping

import httpx

from ._logging import is_sensitive_header

SNIPPET_LIMIT = 200
"""Longest excerpt of a non-JSON body shown in a message."""
FIELD_LIMIT = 500
"""Longest text of one body field shown in a message."""
_MIN_SECRET_LENGTH = 8

_HTML_START = re.compile(r"\s*<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
_HTML_SKIP = re.compile(r"<!--.*?-->|<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r"<[^>]*>")


def one_line(text: str) -> str:
    """Collapse every run of whitespace (newlines included) into one space."""
    return " ".join(text.split())


def clip(text: str, limit: int) -> str:
    text = one_line(text)
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def compact_json(value: object) -> str:
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def text_snippet(text: str) -> str:
    return clip(text, SNIPPET_LIMIT)


def html_snippet(text: str) -> str:
    stripped = _HTML_TAG.sub(" ", _HTML_SKIP.sub(" ", text))
    snippet = clip(html.unescape(stripped), SNIPPET_LIMIT)
    return snippet or text_snippet(text)


def looks_like_html(text: str, content_type: str) -> bool:
    return "html" in content_type.lower() or _HTML_START.match(text) is not None


def request_of(response: httpx.Response) -> httpx.Request | None:
    try:
        return response.request
    except RuntimeError:  # a Response built by hand has no request
        return None


def _secrets_of(request: httpx.Request | None) -> list[str]:
    """Values of the request's credential headers, longest first."""
    if request is None:
        return []
    found: set[str] = set()
    for name, value in request.headers.items():
        if not is_sensitive_header(name):
            continue
        found.add(value.strip())
        scheme, _, token = value.strip().partition(" ")
        if token and scheme.isalpha():  # "Bearer <token>"
            found.add(token.strip())
    return sorted((s for s in found if len(s) >= _MIN_SECRET_LENGTH), key=len, reverse=True)


def scrub(text: str, request: httpx.Request | None) -> str:
    """Replace credentials the request carried (a server may echo one) by <redacted>."""
    for secret in _secrets_of(request):
        text = text.replace(secret, "<redacted>")
    return text


def str_or_none(value: object) -> str | None:
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    return None


def first_str(data: Mapping[str, object], *keys: str) -> str | None:
    for key in keys:
        value = str_or_none(data.get(key))
        if value is not None:
            return value
    return None


def number_or_none(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None
