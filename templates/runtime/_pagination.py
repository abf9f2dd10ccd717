from __future__ import annotations

from collections.abc import AsyncIterator, Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx

from ._config import PageScheme as PageScheme  # defined with the other generated settings
from ._parsing import read_json, validate
from ._request import RequestSpec
from ._response import APIResponse

if TYPE_CHECKING:
    from ._base_client import AsyncAPIClient, SyncAPIClient

T = TypeVar("T")


def extract_items(parsed: Any, items_field: str) -> list[Any]:
    if isinstance(parsed, Mapping):
        return list(parsed.get(items_field) or [])
    return list(getattr(parsed, _attribute_for(type(parsed), items_field), None) or [])


# (model class, wire name) -> Python attribute; bounded by the package's list models.
_ATTRIBUTES: dict[tuple[type, str], str] = {}


def _attribute_for(model: type, items_field: str) -> str:
    """The Python attribute holding a wire field; looked up once per model (a per-page cost)."""
    found = _ATTRIBUTES.get((model, items_field))
    if found is None:
        found = items_field
        for name, info in getattr(model, "model_fields", {}).items():
            # Models keep wire names in serialization_alias, or in alias.
            if (info.serialization_alias or info.alias or name) == items_field:
                found = str(name)
                break
        _ATTRIBUTES[(model, items_field)] = found
    return found


class LastPageError(LookupError):
    """`next_page()` was called on the last page."""


class _Page(Generic[T]):
    def __init__(
        self,
        *,
        spec: RequestSpec,
        response: httpx.Response,
        cast_to: object,
        items_field: str,
        scheme: PageScheme,
        strict: bool = False,
    ) -> None:
        self._spec = spec
        self._scheme = scheme
        self._cast_to = cast_to
        self._items_field = items_field
        self.http_response = response
        raw = read_json(response)
        self.response: object = validate(raw, cast_to, response, strict=strict)
        """The whole parsed list response (totals, flags and all)."""
        self.items: list[T] = extract_items(self.response, items_field)
        self._next = scheme.next_query(spec.query, raw if isinstance(raw, Mapping) else {}, len(self.items))

    def has_next_page(self) -> bool:
        return self._next is not None

    def _next_spec(self) -> RequestSpec:
        if self._next is None:
            # Not StopIteration: raised inside a generator or coroutine that would turn into a
            # RuntimeError far from the call.
            raise LastPageError("this is the last page: check has_next_page() before next_page()")
        return self._spec.with_query(self._next)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} items={len(self.items)} has_next_page={self.has_next_page()}>"


class SyncPage(_Page[T]):
    """One page of a list; iterating it yields every item of every page."""

    def __init__(
        self,
        *,
        client: SyncAPIClient,
        spec: RequestSpec,
        response: httpx.Response,
        cast_to: object,
        items_field: str,
        scheme: PageScheme,
    ) -> None:
        super().__init__(
            spec=spec,
            response=response,
            cast_to=cast_to,
            items_field=items_field,
            scheme=scheme,
            strict=client.strict_response_validation,
        )
        # Later pages are read whole, also after a streamed first page.
        self._client = client.base  # later pages are read whole, also after a raw first page

    def next_page(self) -> SyncPage[T]:
        spec = self._next_spec()
        return SyncPage(
            client=self._client,
            spec=spec,
            response=self._client.send(spec),
            cast_to=self._cast_to,
            items_field=self._items_field,
            scheme=self._scheme,
        )

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        page: SyncPage[T] = self
        yield page
        while page.has_next_page():
            page = page.next_page()
            yield page

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.items


class AsyncPage(_Page[T]):
    """One page of a list; ``async for`` over it yields every item of every page."""

    def __init__(
        self,
        *,
        client: AsyncAPIClient,
        spec: RequestSpec,
        response: httpx.Response,
        cast_to: object,
        items_field: str,
        scheme: PageScheme,
    ) -> None:
        super().__init__(
            spec=spec,
            response=response,
            cast_to=cast_to,
            items_field=items_field,
            scheme=scheme,
            strict=client.strict_response_validation,
        )
        self._client = client.base  # later pages are read whole, also after a raw first page

    async def next_page(self) -> AsyncPage[T]:
        spec = self._next_spec()
        return AsyncPage(
            client=self._client,
            spec=spec,
            response=await self._client.send(spec),
            cast_to=self._cast_to,
            items_field=self._items_field,
            scheme=self._scheme,
        )

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        page: AsyncPage[T] = self
        yield page
        while page.has_next_page():
            page = await page.next_page()
            yield page

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.items:
                yield item


class AsyncPaginator(Generic[T]):
    """What an async list method returns: ``await`` it for the first page, or ``async for``
    over it directly for every item of every page (the request is sent on first use)."""

    def __init__(
        self,
        *,
        client: AsyncAPIClient,
        spec: RequestSpec,
        cast_to: object,
        items_field: str,
        scheme: PageScheme,
    ) -> None:
        self._client = client
        self._spec = spec
        self._cast_to = cast_to
        self._items_field = items_field
        self._scheme = scheme

    def _page(self, response: httpx.Response) -> AsyncPage[T]:
        return AsyncPage(
            client=self._client.base,
            spec=self._spec,
            response=response,
            cast_to=self._cast_to,
            items_field=self._items_field,
            scheme=self._scheme,
        )

    async def _first_page(self) -> AsyncPage[T]:
        return self._page(await self._client.send(self._spec))

    def __await__(self) -> Generator[Any, None, AsyncPage[T]]:
        return self._first_page().__await__()

    async def raw_first_page(self) -> APIResponse[AsyncPage[T]]:
        """The first page's response (with_raw_response / with_streaming_response)."""
        return APIResponse(await self._client.send(self._spec), None, parser=self._page)

    async def __aiter__(self) -> AsyncIterator[T]:
        page: AsyncPage[T] = await self._first_page()
        async for item in page:
            yield item

    def __repr__(self) -> str:
        return f"<AsyncPaginator {self._spec.method.upper()} {self._spec.path}>"
