"""with_streaming_response: the body is read as it is consumed, so a large download never sits in
memory whole; the same methods, as context managers, sync and async."""

from __future__ import annotations

import tracemalloc
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from .conftest import Harness, json_response

CHUNK = 1024 * 1024
CHUNKS = 50  # 50 MB


def _big_csv(h: Harness) -> httpx.Response:
    row = (b"name,date\n" + b"x" * (CHUNK - 10))[:CHUNK]

    def chunks() -> Iterator[bytes]:
        for _ in range(CHUNKS):
            yield bytes(row)

    async def achunks() -> AsyncIterator[bytes]:
        for chunk in chunks():
            yield chunk

    return httpx.Response(200, headers={"content-type": "text/csv"}, content=achunks() if h.is_async else chunks())


def test_a_50_mb_download_streams_with_flat_memory(reply: Harness) -> None:
    client = reply.client(lambda r: _big_csv(reply))
    baseline: list[int] = []  # memory in use once the first chunk arrived (imports, the client)
    tracemalloc.start()
    try:
        if reply.is_async:

            async def consume() -> int:
                total = 0
                async with client.holiday_calendars.with_streaming_response.export_csv(230) as response:
                    assert response.status_code == 200
                    async for chunk in response.aiter_bytes():
                        total += len(chunk)
                        if total == CHUNK:
                            baseline.append(tracemalloc.get_traced_memory()[0])
                            tracemalloc.reset_peak()
                return total

            total = reply.run(consume())
        else:
            total = 0
            with client.holiday_calendars.with_streaming_response.export_csv(230) as response:
                assert response.headers["content-type"] == "text/csv"
                for chunk in response.iter_bytes():
                    total += len(chunk)
                    if total == CHUNK:
                        baseline.append(tracemalloc.get_traced_memory()[0])
                        tracemalloc.reset_peak()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total == CHUNK * CHUNKS
    growth = peak - baseline[0]
    assert growth < 4 * CHUNK, f"memory grew {growth / CHUNK:.1f} MB while streaming {CHUNKS} MB"


def test_streamed_json_parses_into_the_declared_type(h: Harness) -> None:
    from .samples import SAMPLES

    sample = SAMPLES[h.pkg]
    client = h.client(lambda r: json_response(200, sample.body))
    resource_call = {
        "replyio": lambda c: c.whoami.with_streaming_response.retrieve(),
        "reloop": lambda c: c.domains.with_streaming_response.retrieve("dom_1"),
    }[h.pkg]
    if h.is_async:

        async def parsed() -> object:
            async with resource_call(client) as response:
                return await response.aparse()

        value = h.run(parsed())
    else:
        with resource_call(client) as response:
            value = response.parse()
    assert getattr(value, sample.field) == sample.value


def test_streamed_error_statuses_still_raise_typed_errors(h: Harness) -> None:
    client = h.client(lambda r: json_response(404, {"message": "nope", "title": "Not Found"}), max_retries=0)
    call = {
        "replyio": lambda c: c.whoami.with_streaming_response.retrieve(),
        "reloop": lambda c: c.domains.with_streaming_response.retrieve("dom_1"),
    }[h.pkg]
    with pytest.raises(h.module.NotFoundError):
        if h.is_async:

            async def enter() -> None:
                async with call(client):
                    pass

            h.run(enter())
        else:
            with call(client):
                pass


def test_every_resource_has_with_streaming_response(pkg: str) -> None:
    import importlib

    module = importlib.import_module(pkg)
    client = getattr(module, "Reply" if pkg == "replyio" else "Reloop")(api_key="k")
    names = [n for n in dir(type(client)) if not n.startswith("_") and n not in ("with_options", "models")]
    resources = [getattr(client, n) for n in names if hasattr(getattr(client, n), "with_raw_response")]
    assert resources and all(hasattr(r, "with_streaming_response") for r in resources)
