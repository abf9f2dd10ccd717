"""`with_raw_response` and `with_streaming_response`: each method of a resource, wrapped.

A raw method is the plain method of the same resource bound to a raw copy of the client (which
answers `APIResponse`s); a streaming method is a context manager over the raw method of a
streaming copy. So each request is described once, in the plain method (openai-python's pattern).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Generic, ParamSpec, TypeVar

from ._pagination import AsyncPaginator
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


def to_raw_response_wrapper(method: Callable[P, T]) -> Callable[P, APIResponse[T]]:
    """`method` is bound to a raw copy of the client, so it already answers an APIResponse."""

    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[T]:
        return method(*args, **kwargs)  # type: ignore[return-value]

    return wrapped


def async_to_raw_response_wrapper(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[APIResponse[T]]]:
    @functools.wraps(method)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[T]:
        pending = method(*args, **kwargs)
        if isinstance(pending, AsyncPaginator):  # a list call sends when awaited: take the raw page
            first: APIResponse[T] = await pending.raw_first_page()  # pyright: ignore[reportAssignmentType]
            return first
        return await pending  # type: ignore[return-value]

    return wrapped


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
