"""Checking what a user passes to a client: base URL, max_wait, API key and rate limits."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping, Sequence
from typing import Protocol

import httpx

from ._config import ClientConfig, RateLimit
from ._exceptions import APIError
from ._logging import get_logger
from ._ratelimit import RateLimiter, ServerQuota
from ._types import NotGiven

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
# How long a call may wait for rate limits when neither max_wait nor a plain-number timeout says.
DEFAULT_MAX_WAIT = 60.0
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


class Limiter(Protocol):
    """What the client needs of a rate limiter; in-memory and Redis limiters both fit."""

    def acquire(self, group: str | None, max_wait: float | None = None) -> float: ...

    async def aacquire(self, group: str | None, max_wait: float | None = None) -> float: ...

    def observe(self, group: str | None, status_code: int, headers: Mapping[str, str]) -> object: ...

    def snapshot(self) -> Mapping[str | None, ServerQuota]: ...


def check_base_url(url: str, *, allow_http: bool = False, declared: str = "") -> str:
    """https://, or plain http:// for loopback hosts, the spec's own server, or with allow_http."""
    if "://" not in url:
        raise ValueError(f"base_url must start with https:// (got {url!r}: no scheme)")
    parsed = httpx.URL(url)
    host = parsed.host
    if parsed.scheme == "https":
        return url.rstrip("/")
    if parsed.scheme == "http" and (allow_http or _is_loopback(host) or url.rstrip("/") == declared.rstrip("/")):
        return url.rstrip("/")
    raise ValueError(
        f"base_url must use https:// (plain http is allowed for loopback hosts, the API's declared server "
        f"or with allow_http=True), got {parsed.scheme}://{host}"
    )


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_max_wait(value: float | NotGiven) -> float | NotGiven:
    if isinstance(value, NotGiven):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ValueError(f"max_wait must be a number of seconds >= 0, got {value!r}")
    return float(value)


def resolve_api_key(api_key: str | None, env_var: str, required: bool = True) -> str:
    key = api_key if api_key is not None else os.environ.get(env_var)
    if not key and required:
        raise APIError(f"No API key: pass api_key=... or set the {env_var} environment variable")
    return key or ""


def build_limiter(rate_limits: Sequence[RateLimit] | Limiter | None, config: ClientConfig, logger_name: str) -> Limiter:
    if rate_limits is None:
        return RateLimiter(config.default_quotas, logger=get_logger(logger_name + ".ratelimit"))
    if isinstance(rate_limits, Sequence):
        check_groups(rate_limits, config.rate_limit_groups)
        return RateLimiter(list(rate_limits), logger=get_logger(logger_name + ".ratelimit"))
    return rate_limits


def check_groups(limits: Sequence[RateLimit], known: frozenset[str]) -> None:
    """A limit scoped to a group no operation belongs to would silently limit nothing."""
    unknown = sorted({limit.group for limit in limits if isinstance(limit, RateLimit) and limit.group} - known)
    if unknown:
        valid = ", ".join(sorted(known)) or "none (this API has no rate-limit groups)"
        raise ValueError(f"RateLimit group {', '.join(map(repr, unknown))} does not exist; valid groups: {valid}")
