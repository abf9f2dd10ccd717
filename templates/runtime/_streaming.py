"""`with_streaming_response`: each method of a resource as a context manager over a response whose
body is read as it is consumed. One wrapper per method, over the raw-response method of a
streaming copy of the client, so no request is described twice (openai-python's pattern)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Generic, ParamSpec, TypeVar

from ._response import APIResponse

P = ParamSpec("P")
T = TypeVar("T")


class ResponseContextManager(Generic[T]):
    """Sends on enter, closes the response on exit."""

    def __init__(self, send: Callable[[], APIResponse[T]]) -> None:
        self._send = send
        self._response: APIResponse[T] | None = None

    def __enter__(self) -> APIResponse[T]:
        self._response = self._send()
        return self._response

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._response is not None:
            self._response.close()


class AsyncResponseContextManager(Generic[T]):
    """Sends on ``async with``, closes the response on exit."""

    def __init__(self, send: Callable[[], Awaitable[APIResponse[T]]]) -> None:
        self._send = send
        self._response: APIResponse[T] | None = None

    async def __aenter__(self) -> APIResponse[T]:
        self._response = await self._send()
        return self._response

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._response is not None:
            await self._response.aclose()


def to_streamed_response_wrapper(
    method: Callable[P, APIResponse[T]],
) -> Callable[P, ResponseContextManager[T]]:
    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> ResponseContextManager[T]:
        return ResponseContextManager(lambda: method(*args, **kwargs))

    return wrapped


def async_to_streamed_response_wrapper(
    method: Callable[P, Awaitable[APIResponse[T]]],
) -> Callable[P, AsyncResponseContextManager[T]]:
    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> AsyncResponseContextManager[T]:
        return AsyncResponseContextManager(lambda: method(*args, **kwargs))

    return wrapped
