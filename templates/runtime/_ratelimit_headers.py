"""Reading rate-limit state from response headers: the X-RateLimit-*, ratelimit-* and
x-rate-limit-* families, Retry-After and the quota-usage headers the API declares.

Reset values may be epoch seconds, epoch milliseconds or seconds until the reset; which one is
decided by magnitude, and the server's Date header corrects for clock skew.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from ._config import QuotaUsageHeaders
from ._constants import CONFIG
from ._retry import parse_http_date, parse_retry_after

# The quota-usage headers of the API this package was generated for (x-sdk.quota_usage_headers).
DEFAULT_USAGE_HEADERS = CONFIG.quota_usage_headers
_EPOCH_SECONDS = 1e9  # larger "reset" values are epoch timestamps, not durations
_EPOCH_MILLIS = 1e12  # larger still: epoch milliseconds


@dataclass(frozen=True)
class ParsedRateLimitHeaders:
    """Rate-limit headers of one response, normalised.

    `reset_after` and `retry_after` are seconds from the moment the response was observed;
    `reset_at` is the same instant as a local epoch timestamp.
    """

    limit: int | None = None
    remaining: int | None = None
    reset_after: float | None = None
    reset_at: float | None = None
    window: float | None = None
    retry_after: float | None = None
    daily_used: int | None = None
    monthly_used: int | None = None


_NO_HEADERS = ParsedRateLimitHeaders()
# Prefixes of every header read here but the quota-usage ones.
_FAMILIES = ("x-ratelimit", "ratelimit", "x-rate-limit", "retry-after")


# --------------------------------------------------------------------------- headers

_DURATION_RE = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*"
    r"(ms|s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)?\s*$",
    re.IGNORECASE,
)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_NUMBER_RE = re.compile(r"^\s*[+-]?\d+(?:\.\d+)?\s*$")
_PARAM_RE = re.compile(r"^\s*(\w+)\s*=\s*\"?([^\";]*)\"?\s*$")


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(key).lower(): str(value) for key, value in headers.items()}


def _first(headers: dict[str, str], *names: str) -> str | None:
    for name in names:
        value = headers.get(name)
        if value is not None and value.strip():
            return value
    return None


def _parts(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _duration(text: str) -> float | None:
    match = _DURATION_RE.match(text)
    if match is None:
        return None
    unit = (match.group(2) or "s").lower()
    key = "ms" if unit == "ms" else unit[0]
    seconds = float(match.group(1)) * _UNIT_SECONDS[key]
    return seconds if math.isfinite(seconds) else None


def _number(text: str) -> float | None:
    if _NUMBER_RE.match(text) is None:
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _iso_date(text: str) -> float | None:
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def _timestamp(text: str) -> float | None:
    stamp = parse_http_date(text)
    return _iso_date(text) if stamp is None else stamp


def _params(value: str) -> dict[str, str]:
    """`100;w=60` -> {"w": "60"}; `limit=100, remaining=5` -> {"limit": ..., ...}."""
    found: dict[str, str] = {}
    for piece in re.split(r"[;,]", value):
        match = _PARAM_RE.match(piece)
        if match is not None:
            found.setdefault(match.group(1).lower(), match.group(2))
    return found


def _int(text: str | None) -> int | None:
    parts = _parts(text or "")
    number = _number(parts[0].split(";")[0]) if parts else None
    return None if number is None or number < 0 else int(number)


def _server_now(lowered: dict[str, str], wall_now: float) -> float:
    """The server's clock at the response: its Date header, else ours."""
    date = lowered.get("date")
    parsed = parse_http_date(date) if date is not None else None
    return wall_now if parsed is None else parsed


def parse_rate_limit_headers(
    headers: Mapping[str, str],
    *,
    wall_now: float,
    usage: QuotaUsageHeaders = DEFAULT_USAGE_HEADERS,
) -> ParsedRateLimitHeaders:
    """Normalise the rate-limit headers of one response.

    Understands `X-RateLimit-Limit/Remaining/Reset/Window`, lowercase `ratelimit-*`,
    `x-rate-limit-*` (where the limit may be a window label such as `1h` and the reset an
    ISO-8601 time), the combined `RateLimit: limit=.., remaining=.., reset=..` form,
    `Retry-After` (read by `_retry.parse_retry_after`) and the `usage` headers (requests used of
    a daily / monthly quota; by default those the API declares). A reset larger than 10^9 is an
    epoch timestamp (10^12: epoch milliseconds), a smaller one is seconds from now. Absolute
    times are read against the response's `Date` header when it has one, so a server clock that
    differs from ours does not shift the result. Unparsable values are ignored.
    """
    lowered = _lower(headers)
    if not any(key.startswith(_FAMILIES) for key in lowered) and not (
        (usage.daily_used and usage.daily_used.lower() in lowered)
        or (usage.monthly_used and usage.monthly_used.lower() in lowered)
    ):
        return _NO_HEADERS  # most responses: nothing to read, and no Date to parse

    combined = _params(lowered.get("ratelimit", ""))

    limit: int | None = None
    window: float | None = None
    raw_limit = _first(lowered, "x-ratelimit-limit", "ratelimit-limit", "x-rate-limit-limit")
    if raw_limit is None:
        raw_limit = combined.get("limit")
    if raw_limit is not None and _parts(raw_limit):
        head = _parts(raw_limit)[0]
        number = _number(head.split(";")[0])
        if number is not None and number >= 0:
            limit = int(number)
            # "100, 100;w=60, 1000;w=3600": the window of the policy matching the limit
            for part in _parts(raw_limit):
                w = _params(part).get("w")
                if w is not None and _number(part.split(";")[0]) == number:
                    window = _duration(w)
                    break
        else:
            window = _duration(head)  # a window label such as "1h"

    raw_window = _first(lowered, "x-ratelimit-window", "ratelimit-window", "x-rate-limit-window")
    if raw_window is not None and _parts(raw_window):
        window = _duration(_parts(raw_window)[0]) or window

    remaining: int | None = None
    raw_remaining = _first(
        lowered,
        "x-ratelimit-remaining",
        "ratelimit-remaining",
        "x-rate-limit-remaining",
    )
    if raw_remaining is None:
        raw_remaining = combined.get("remaining") or combined.get("r")
    if raw_remaining is not None:
        values = [_number(part.split(";")[0]) for part in _parts(raw_remaining)]
        counts = [int(v) for v in values if v is not None]
        remaining = max(0, min(counts)) if counts else None

    reset_after: float | None = None
    raw_reset = _first(lowered, "x-ratelimit-reset", "ratelimit-reset", "x-rate-limit-reset")
    if raw_reset is None:
        raw_reset = combined.get("reset") or combined.get("t")
    if raw_reset is not None and _parts(raw_reset):
        value = _number(_parts(raw_reset)[0])
        if value is None:
            stamp = _timestamp(raw_reset)  # ISO-8601 or HTTP date (may contain commas)
            reset_after = None if stamp is None else stamp - _server_now(lowered, wall_now)
        elif value >= _EPOCH_MILLIS:
            reset_after = value / 1000.0 - _server_now(lowered, wall_now)
        elif value >= _EPOCH_SECONDS:
            reset_after = value - _server_now(lowered, wall_now)
        else:
            reset_after = value
        if reset_after is not None:
            reset_after = max(0.0, reset_after)

    return ParsedRateLimitHeaders(
        limit=limit,
        remaining=remaining,
        reset_after=reset_after,
        reset_at=None if reset_after is None else wall_now + reset_after,
        window=window,
        retry_after=parse_retry_after(lowered, now=wall_now),
        daily_used=_int(lowered.get(usage.daily_used.lower())) if usage.daily_used else None,
        monthly_used=_int(lowered.get(usage.monthly_used.lower())) if usage.monthly_used else None,
    )
