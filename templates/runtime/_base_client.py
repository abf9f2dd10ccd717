from __future__ import annotations

import asyncio
import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Self, TypeVar
from urllib.parse import urlencode

import httpx

from ._attempts import AttemptOutcomes, TransportFailure, classify_transport_error, never_sent
from ._config import ClientConfig
from ._exceptions import RateLimitWaitError
from ._logging import get_logger, redact_headers, setup_logging
from ._options import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_MAX_WAIT,
    DEFAULT_TIMEOUT,
    Limiter,
    build_limiter,
    check_base_url,
    check_max_wait,
    resolve_api_key,
)
from ._parsing import parse_body
from ._ratelimit import RateLimit, ServerQuota, WaitTooLong, report_failure
from ._request import (
    RequestSpec,
    encode_body,
    encode_headers,
    encode_query,
    render_path,
)
from ._response import APIResponse
from ._styles import for_location
from ._types import NOT_GIVEN, NotGiven, Timeout

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_MAX_WAIT",
    "DEFAULT_TIMEOUT",
    "AsyncAPIClient",
    "ClientConfig",
    "Limiter",
    "SyncAPIClient",
    "TransportFailure",
    "check_base_url",
    "classify_transport_error",
]

T = TypeVar("T")


class _BaseClient(AttemptOutcomes):
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
            "application/json, application/problem+json"
            if config.error_envelope.problem_details
            else "application/json"
        )
        self.strict_response_validation = strict_response_validation
        self._api_key = resolve_api_key(api_key, config.env_var, config.auth_required)
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
        self.max_wait: float | NotGiven = check_max_wait(max_wait)
        self.default_headers: dict[str, str] = dict(default_headers or {})
        self.rate_limiter: Limiter = build_limiter(rate_limits, config, config.package)
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
            self.max_wait = check_max_wait(changes["max_wait"])
        if "default_headers" in changes and changes["default_headers"] is not None:
            self.default_headers = {**self.default_headers, **changes["default_headers"]}
        if "rate_limits" in changes and changes["rate_limits"] is not None:
            self.rate_limiter = build_limiter(changes["rate_limits"], self._config, self._config.package)

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
        styles = spec.styles or None  # most operations declare no styles: skip the lookups
        headers = {
            "Accept": spec.accept or self._accept,
            "User-Agent": f"{self._config.package}-python/{self._config.version}",
            **auth_headers,
            **self.default_headers,
        }
        if spec.headers:
            headers.update(encode_headers(spec.headers, styles and for_location(styles, "header")))
        body = encode_body(spec)
        headers.update(body.pop("headers", {}))
        if spec.extra_headers:
            headers.update(spec.extra_headers)
        query_values = {**spec.query, **spec.extra_query} if spec.extra_query else spec.query
        query = encode_query(query_values, styles and for_location(styles, "query")) if query_values else []
        query += auth_query.items()
        if spec.cookies or auth_cookies:
            cookies = {**encode_headers(spec.cookies, styles and for_location(styles, "cookie")), **auth_cookies}
            if cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        timeout = self.timeout if isinstance(spec.timeout, NotGiven) else spec.timeout
        path = spec.path
        if spec.path_params:
            path = render_path(path, spec.path_params, styles and for_location(styles, "path"))
        url = self.base_url + path
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
                report_failure(self.rate_limiter, spec.rate_limit_group, sent=not never_sent(exc))
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
                report_failure(self.rate_limiter, spec.rate_limit_group, sent=not never_sent(exc))
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
