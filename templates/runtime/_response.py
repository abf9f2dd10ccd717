from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import httpx

from ._parsing import parse_body

T = TypeVar("T")


class APIResponse(Generic[T]):
    """A raw response (``client.<resource>.with_raw_response.<method>(...)``): status, headers, parse()."""

    def __init__(
        self,
        response: httpx.Response,
        cast_to: object,
        *,
        strict: bool = False,
        parser: Callable[[httpx.Response], T] | None = None,
    ) -> None:
        self.http_response = response
        self._cast_to = cast_to
        self._strict = strict
        self._parser = parser

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def content(self) -> bytes:
        return self.http_response.content

    def parse(self) -> T:
        """What the method without ``with_raw_response`` returns (a page for list methods)."""
        if self._parser is not None:
            return self._parser(self.http_response)
        result: T = parse_body(self.http_response, self._cast_to, strict=self._strict)
        return result

    def __repr__(self) -> str:
        return f"<APIResponse [{self.status_code}] {self.http_response.request.method} {self.http_response.url.path}>"
