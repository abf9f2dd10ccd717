from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, Self, TypeVar
from urllib.parse import urlencode

import httpx

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    RateLimitWaitError,
    make_status_error,
)
from ._logging import get_logger, redact_headers, setup_logging
from ._parsing import parse_body
from ._ratelimit import RateLimit, RateLimiter, ServerQuota, WaitTooLong
from ._request import (
    RequestSpec,
    encode_body,
    encode_headers,
    encode_query,
    render_path,
)
from ._response import APIResponse
from ._retry import decide_retry, parse_retry_after
from ._styles import for_location
from ._types import NOT_GIVEN, NotGiven, Timeout

T = TypeVar("T")
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
# How long a call may wait for rate limits when neither max_wait nor a plain-number timeout says.
DEFAULT_MAX_WAIT = 60.0
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
TransportFailure = Literal[
    "connect", "timeout_connect", "timeout_read", "timeout_write", "timeout_pool", "disconnected"
]


class Limiter(Protocol):
    """What the client needs of a rate limiter; in-memory and Redis limiters both fit."""

    def acquire(self, group: str | None, max_wait: float | None = None) -> float: ...

    async def aacquire(self, group: str | None, max_wait: float | None = None) -> float: ...

    def observe(self, group: str | None, status_code: int, headers: Mapping[str, str]) -> object: ...

    def snapshot(self) -> Mapping[str | None, ServerQuota]: ...


@dataclass(frozen=True)
class ClientConfig:
    """What the generator decides for one API; the same for every client instance."""

    package: str
    version: str
    env_var: str
    log_env_var: str
    default_base_url: str
    auth_kind: Literal["header", "query", "cookie", "bearer", "basic", "none"]
    auth_name: str
    envelope: Literal["reloop", "problem", "generic"]
    default_quotas: tuple[RateLimit, ...]
    rate_limit_groups: frozenset[str] = frozenset()  # the groups operations belong to
    auth_required: bool = True  # False: the spec requires no security, the key is optional


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


def classify_transport_error(exc: httpx.TransportError) -> TransportFailure:
    if isinstance(exc, httpx.ConnectTimeout):
        return "timeout_connect"
    if isinstance(exc, httpx.PoolTimeout):
        return "timeout_pool"
    if isinstance(exc, httpx.ReadTimeout):
        return "timeout_read"
    if isinstance(exc, httpx.WriteTimeout):
        return "timeout_write"
    if isinstance(exc, httpx.ConnectError):
        return "connect"
    return "disconnected"


def _check_max_wait(value: float | NotGiven) -> float | NotGiven:
    if isinstance(value, NotGiven):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ValueError(f"max_wait must be a number of seconds >= 0, got {value!r}")
    return float(value)


def _resolve_api_key(api_key: str | None, env_var: str, required: bool = True) -> str:
    key = api_key if api_key is not None else os.environ.get(env_var)
    if not key and required:
        raise APIError(f"No API key: pass api_key=... or set the {env_var} environment variable")
    return key or ""


def _build_limiter(
    rate_limits: Sequence[RateLimit] | Limiter | None, config: ClientConfig, logger_name: str
) -> Limiter:
    if rate_limits is None:
        return RateLimiter(config.default_quotas, logger=get_logger(logger_name + ".ratelimit"))
    if isinstance(rate_limits, Sequence):
        _check_groups(rate_limits, config.rate_limit_groups)
        return RateLimiter(list(rate_limits), logger=get_logger(logger_name + ".ratelimit"))
    return rate_limits


def _check_groups(limits: Sequence[RateLimit], known: frozenset[str]) -> None:
    """A limit scoped to a group no operation belongs to would silently limit nothing."""
    unknown = sorted({limit.group for limit in limits if isinstance(limit, RateLimit) and limit.group} - known)
    if unknown:
        valid = ", ".join(sorted(known)) or "none (this API has no rate-limit groups)"
        raise ValueError(f"RateLimit group {', '.join(map(repr, unknown))} does not exist; valid groups: {valid}")


class _BaseClient:
    """Settings and request building shared by the sync and async clients."""

    _config: ClientConfig
    _owns_http_client: bool

    def __init__(
        self,
        *,
        config: ClientConfig,
        api_key: str | None,
        base_url: str | None,
        timeout: Timeout | NotGiven,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        rate_limits: Sequence[RateLimit] | Limiter | None,
        max_wait: float | NotGiven = NOT_GIVEN,
        strict_response_validation: bool = False,
        allow_http: bool = False,
    ) -> None:
        self._config = config
        # Problem-details APIs answer errors as application/problem+json: accept both.
        self._accept = (
            "application/json, application/problem+json" if config.envelope == "problem" else "application/json"
        )
        self.strict_response_validation = strict_response_validation
        self._api_key = _resolve_api_key(api_key, config.env_var, config.auth_required)
        self._allow_http = allow_http
        self.base_url = check_base_url(
            base_url or os.environ.get(config.env_var.replace("API_KEY", "BASE_URL")) or config.default_base_url,
            allow_http=allow_http,
            declared=config.default_base_url,
        )
        self.timeout: Timeout = DEFAULT_TIMEOUT if isinstance(timeout, NotGiven) else timeout
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self.max_retries = max_retries
        self.max_wait: float | NotGiven = _check_max_wait(max_wait)
        self.default_headers: dict[str, str] = dict(default_headers or {})
        self.rate_limiter: Limiter = _build_limiter(rate_limits, config, config.package)
        setup_logging(config.log_env_var)
        self._logger = get_logger(config.package)
        # Injected so tests never really wait; rng drives backoff jitter.
        self._sleep: Callable[[float], None] = time.sleep
        self._async_sleep: Callable[[float], Any] = asyncio.sleep
        self._clock: Callable[[], float] = time.monotonic
        self._wall_clock: Callable[[], float] = time.time
        self._rng: Callable[[], float] = random.random

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    @property
    def api_key(self) -> str:
        return self._api_key

    @property
    def rate_limit_state(self) -> Mapping[str | None, ServerQuota]:
        """The latest limit/remaining/reset the server reported, per rate-limit group."""
        return self.rate_limiter.snapshot()

    def _copy_settings(self, other: _BaseClient, changes: Mapping[str, Any]) -> None:
        for name in (
            "_config",
            "_accept",
            "_api_key",
            "_allow_http",
            "base_url",
            "timeout",
            "max_retries",
            "max_wait",
            "strict_response_validation",
            "default_headers",
            "rate_limiter",
            "_logger",
            "_sleep",
            "_async_sleep",
            "_clock",
            "_wall_clock",
            "_rng",
        ):
            setattr(self, name, getattr(other, name))
        if "api_key" in changes and changes["api_key"] is not None:
            self._api_key = changes["api_key"]
        if "base_url" in changes and changes["base_url"] is not None:
            self.base_url = check_base_url(
                changes["base_url"], allow_http=self._allow_http, declared=self._config.default_base_url
            )
        if "timeout" in changes and not isinstance(changes["timeout"], NotGiven):
            self.timeout = changes["timeout"]
        if "max_retries" in changes and changes["max_retries"] is not None:
            self.max_retries = changes["max_retries"]
        if "strict_response_validation" in changes and changes["strict_response_validation"] is not None:
            self.strict_response_validation = bool(changes["strict_response_validation"])
        if "max_wait" in changes and not isinstance(changes["max_wait"], NotGiven):
            self.max_wait = _check_max_wait(changes["max_wait"])
        if "default_headers" in changes and changes["default_headers"] is not None:
            self.default_headers = {**self.default_headers, **changes["default_headers"]}
        if "rate_limits" in changes and changes["rate_limits"] is not None:
            self.rate_limiter = _build_limiter(changes["rate_limits"], self._config, self._config.package)

    def _auth(self) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        """(headers, query, cookies) that carry the key."""
        kind, name, key = self._config.auth_kind, self._config.auth_name, self._api_key
        if not key:  # optional and not given: send none
            return {}, {}, {}
        if kind == "bearer":
            return {"Authorization": f"Bearer {key}"}, {}, {}
        if kind == "basic":
            import base64

            return {"Authorization": "Basic " + base64.b64encode(key.encode()).decode()}, {}, {}
        if kind == "header":
            return {name: key}, {}, {}
        if kind == "query":
            return {}, {name: key}, {}
        if kind == "cookie":
            return {}, {}, {name: key}
        return {}, {}, {}

    def _build_request(self, http: httpx.Client | httpx.AsyncClient, spec: RequestSpec) -> httpx.Request:
        auth_headers, auth_query, auth_cookies = self._auth()
        headers = {
            "Accept": spec.accept or self._accept,
            "User-Agent": f"{self._config.package}-python/{self._config.version}",
            **auth_headers,
            **self.default_headers,
            **encode_headers(spec.headers, for_location(spec.styles, "header")),
        }
        body = encode_body(spec)
        headers.update(body.pop("headers", {}))
        headers.update(spec.extra_headers or {})
        query = encode_query({**spec.query, **(spec.extra_query or {})}, for_location(spec.styles, "query"))
        query += list(auth_query.items())
        cookies = {**encode_headers(spec.cookies, for_location(spec.styles, "cookie")), **auth_cookies}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        timeout = self.timeout if isinstance(spec.timeout, NotGiven) else spec.timeout
        url = self.base_url + render_path(spec.path, spec.path_params, for_location(spec.styles, "path"))
        if query:
            # Encoded here (form encoding, as httpx does it, but a literal "%41" stays a value) rather
            # than passed as params=: httpx would parse the URL a second time to merge them, the
            # largest single cost per request (benchmarks/overhead.py).
            url += "?" + urlencode(query)
        return http.build_request(spec.method.upper(), url, headers=headers, timeout=timeout, **body)

    def _wait_budget(self, spec: RequestSpec) -> float:
        """Seconds this call may spend waiting for rate limits and retries, all attempts together:
        its max_wait, else the client's, else its timeout when that is a plain number, else 60 s."""
        for candidate in (spec.max_wait, self.max_wait):
            if not isinstance(candidate, NotGiven):
                return candidate
        timeout = self.timeout if isinstance(spec.timeout, NotGiven) else spec.timeout
        if isinstance(timeout, int | float) and not isinstance(timeout, bool):
            return float(timeout)
        return DEFAULT_MAX_WAIT

    def _wait_refused(self, refused: WaitTooLong, budget: float) -> RateLimitWaitError:
        return RateLimitWaitError(
            retry_after=refused.seconds,
            group=refused.group,
            reason=refused.reason,
            waited=refused.waited,
            max_wait=budget,
        )

    def _log_request(self, request: httpx.Request, attempt: int) -> None:
        if self._logger.isEnabledFor(10):
            self._logger.debug(
                "request %s %s attempt=%d headers=%s",
                request.method,
                request.url.copy_with(query=None),
                attempt + 1,
                redact_headers(request.headers),
            )

    def _status_error(self, response: httpx.Response, note: str | None) -> APIStatusError:
        error = make_status_error(response, envelope=self._config.envelope)
        if note:
            error.not_retried_reason = note
        return error

    def _transport_error(
        self, exc: httpx.TransportError, request: httpx.Request, note: str | None
    ) -> APIConnectionError:
        cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        what = "timed out" if cls is APITimeoutError else "failed"
        cause = " ".join(str(exc).split()) or type(exc).__name__
        message = f"{request.method} {request.url.copy_with(query=None)} {what}: {cause}"
        if note:
            message += f" ({note})"
        return cls(message, request=request)

    def _delay_after_failure(
        self, exc: httpx.TransportError, request: httpx.Request, attempt: int, budget_left: float
    ) -> float:
        """Seconds to wait before the next attempt; raises when the failure is final or the wait
        would take the call past its max_wait."""
        decision = decide_retry(
            method=request.method,
            attempt=attempt,
            max_retries=self.max_retries,
            status_code=None,
            error=classify_transport_error(exc),
            retry_after=None,
            rng=self._rng,
        )
        if not decision.retry:
            note = decision.reason if decision.may_have_been_applied else None
            raise self._transport_error(exc, request, note) from exc
        if decision.delay > budget_left:
            note = f"not retried: the {decision.delay:.3g}s backoff would exceed max_wait"
            raise self._transport_error(exc, request, note) from exc
        self._logger.debug("retrying in %.2fs: %s", decision.delay, decision.reason)
        return decision.delay

    def _delay_after_response(self, response: httpx.Response, attempt: int, budget_left: float) -> float | None:
        """None when the response is the answer, else seconds to wait before retrying; raises
        the typed error when the failure is final or the wait would exceed the call's max_wait."""
        if self._logger.isEnabledFor(logging.DEBUG):  # url.path costs a parse per request
            self._logger.debug(
                "response %s %s -> %d", response.request.method, response.request.url.path, response.status_code
            )
        if response.status_code < 400:
            return None
        decision = decide_retry(
            method=response.request.method,
            attempt=attempt,
            max_retries=self.max_retries,
            status_code=response.status_code,
            error=None,
            retry_after=self._retry_after(response),
            rng=self._rng,
        )
        if not decision.retry:
            raise self._status_error(response, decision.reason if decision.may_have_been_applied else None)
        if decision.delay > budget_left:
            raise self._status_error(response, f"not retried: waiting {decision.delay:.3g}s would exceed max_wait")
        self._logger.debug("retrying in %.2fs: %s", decision.delay, decision.reason)
        return decision.delay

    def _retry_after(self, response: httpx.Response) -> float | None:
        body: object = None
        if response.status_code == 429 and self._config.envelope == "reloop":
            try:
                body = response.json()
            except ValueError:
                body = None
        return parse_retry_after(response.headers, body, now=self._wall_clock())


class SyncAPIClient(_BaseClient):
    _http: httpx.Client
    # Copies for with_raw_response (answers are APIResponse) and with_streaming_response (the body
    # is also left unread); `base` is the client they were made from.
    answers_raw: bool = False
    streams: bool = False
    _base: SyncAPIClient

    @property
    def base(self) -> SyncAPIClient:
        return self._base if self.answers_raw else self

    def __init__(self, *, http_client: httpx.Client | None, **settings: Any) -> None:
        super().__init__(**settings)
        self._owns_http_client = http_client is None
        self._http = http_client or httpx.Client(timeout=self.timeout, follow_redirects=False)

    def close(self) -> None:
        if self._owns_http_client:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, spec: RequestSpec) -> httpx.Response:
        """Send with rate limiting and the retry policy; returns a 2xx/3xx response or raises."""
        attempt, waited, budget = 0, 0.0, self._wait_budget(spec)
        while True:
            try:
                waited += self.rate_limiter.acquire(spec.rate_limit_group, max_wait=budget - waited)
            except WaitTooLong as refused:
                raise self._wait_refused(refused, budget) from None
            request = self._build_request(self._http, spec)
            self._log_request(request, attempt)
            try:
                response = self._http.send(request, stream=self.streams)
                if self.streams and response.status_code >= 300:
                    response.read()  # an error or redirect is parsed whole; only answers stream
            except httpx.TransportError as exc:
                delay = self._delay_after_failure(exc, request, attempt, budget - waited)
                self._sleep(delay)
                waited += delay
                attempt += 1
                continue
            self.rate_limiter.observe(spec.rate_limit_group, response.status_code, response.headers)
            delay_or_none = self._delay_after_response(response, attempt, budget - waited)
            if delay_or_none is None:
                return response
            response.close()
            self._sleep(delay_or_none)
            waited += delay_or_none
            attempt += 1

    def _request(self, spec: RequestSpec, cast_to: Any) -> Any:
        # Private: the answer is typed by the caller (resources declare it), so users never see Any.
        if self.answers_raw:
            return APIResponse(self.send(spec), cast_to, strict=self.strict_response_validation)
        return parse_body(self.send(spec), cast_to, strict=self.strict_response_validation)

    def _call(self, spec: RequestSpec, build: Callable[[httpx.Response], T]) -> T:
        """`build` turns the response into what the method returns (a page, a job handle)."""
        if self.answers_raw:
            return APIResponse(self.send(spec), None, parser=build)  # type: ignore[return-value]
        return build(self.send(spec))

    def raw_copy(self, *, stream: bool = False) -> SyncAPIClient:
        """The same client and connection pool, its methods answering `APIResponse`s."""
        clone = object.__new__(type(self))
        clone._copy_settings(self, {})
        clone._http, clone._owns_http_client = self._http, False
        clone.answers_raw, clone.streams, clone._base = True, stream or self.streams, self.base
        return clone


class AsyncAPIClient(_BaseClient):
    _http: httpx.AsyncClient
    answers_raw: bool = False
    streams: bool = False
    _base: AsyncAPIClient

    @property
    def base(self) -> AsyncAPIClient:
        return self._base if self.answers_raw else self

    def __init__(self, *, http_client: httpx.AsyncClient | None, **settings: Any) -> None:
        super().__init__(**settings)
        self._owns_http_client = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)

    async def aclose(self) -> None:
        if self._owns_http_client:
            await self._http.aclose()

    async def close(self) -> None:
        await self.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def send(self, spec: RequestSpec) -> httpx.Response:
        """Send with rate limiting and the retry policy; returns a 2xx/3xx response or raises."""
        attempt, waited, budget = 0, 0.0, self._wait_budget(spec)
        while True:
            try:
                waited += await self.rate_limiter.aacquire(spec.rate_limit_group, max_wait=budget - waited)
            except WaitTooLong as refused:
                raise self._wait_refused(refused, budget) from None
            request = self._build_request(self._http, spec)
            self._log_request(request, attempt)
            try:
                response = await self._http.send(request, stream=self.streams)
                if self.streams and response.status_code >= 300:
                    await response.aread()
            except httpx.TransportError as exc:
                delay = self._delay_after_failure(exc, request, attempt, budget - waited)
                await self._async_sleep(delay)
                waited += delay
                attempt += 1
                continue
            self.rate_limiter.observe(spec.rate_limit_group, response.status_code, response.headers)
            delay_or_none = self._delay_after_response(response, attempt, budget - waited)
            if delay_or_none is None:
                return response
            await response.aclose()
            await self._async_sleep(delay_or_none)
            waited += delay_or_none
            attempt += 1

    async def _request(self, spec: RequestSpec, cast_to: Any) -> Any:
        # Private: the answer is typed by the caller (resources declare it), so users never see Any.
        if self.answers_raw:
            return APIResponse(await self.send(spec), cast_to, strict=self.strict_response_validation)
        return parse_body(await self.send(spec), cast_to, strict=self.strict_response_validation)

    async def _call(self, spec: RequestSpec, build: Callable[[httpx.Response], T]) -> T:
        if self.answers_raw:
            return APIResponse(await self.send(spec), None, parser=build)  # type: ignore[return-value]
        return build(await self.send(spec))

    def raw_copy(self, *, stream: bool = False) -> AsyncAPIClient:
        """The same client and connection pool, its methods answering `APIResponse`s."""
        clone = object.__new__(type(self))
        clone._copy_settings(self, {})
        clone._http, clone._owns_http_client = self._http, False
        clone.answers_raw, clone.streams, clone._base = True, stream or self.streams, self.base
        return clone
