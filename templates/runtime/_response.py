from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from types import TracebackType
from typing import Generic, TypeVar

import httpx

from ._parsing import parse_body

T = TypeVar("T")


class APIResponse(Generic[T]):
    """A raw response: status, headers and ``parse()``.

    From ``client.<resource>.with_raw_response.<method>(...)`` the body has been read. From
    ``with client.<resource>.with_streaming_response.<method>(...) as response`` it has not:
    ``iter_bytes()``, ``iter_text()`` and ``iter_lines()`` (``aiter_*`` on async clients) read it
    as it arrives, so a large download never sits in memory whole; ``read()`` / ``aread()`` and
    ``parse()`` / ``aparse()`` read all of it.
    """

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
        if not self._is_read() and isinstance(self.http_response.stream, httpx.SyncByteStream):
            self.http_response.read()
        if not self._is_read():
            raise RuntimeError("the body of this streamed response is not read yet: use `await response.aparse()`")
        if self._parser is not None:
            return self._parser(self.http_response)
        result: T = parse_body(self.http_response, self._cast_to, strict=self._strict)
        return result

    async def aparse(self) -> T:
        await self.aread()
        return self.parse()

    def _is_read(self) -> bool:
        return hasattr(self.http_response, "_content")

    # ------------------------------------------------------------------ sync streaming

    def read(self) -> bytes:
        return self.http_response.read()

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        return self.http_response.iter_bytes(chunk_size)

    def iter_text(self, chunk_size: int | None = None) -> Iterator[str]:
        return self.http_response.iter_text(chunk_size)

    def iter_lines(self) -> Iterator[str]:
        return self.http_response.iter_lines()

    def close(self) -> None:
        self.http_response.close()

    def __enter__(self) -> APIResponse[T]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ async streaming

    async def aread(self) -> bytes:
        return await self.http_response.aread()

    def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        return self.http_response.aiter_bytes(chunk_size)

    def aiter_text(self, chunk_size: int | None = None) -> AsyncIterator[str]:
        return self.http_response.aiter_text(chunk_size)

    def aiter_lines(self) -> AsyncIterator[str]:
        return self.http_response.aiter_lines()

    async def aclose(self) -> None:
        await self.http_response.aclose()

    def __repr__(self) -> str:
        return f"<APIResponse [{self.status_code}] {self.http_response.request.method} {self.http_response.url.path}>"
