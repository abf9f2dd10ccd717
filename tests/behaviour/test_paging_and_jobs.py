"""Paging in both schemes, background-job handles."""

from __future__ import annotations

import json

import httpx
import pytest

from .conftest import Harness, json_response
from .samples import DOMAIN_BODY

JOB_ID = "3f2b1c9e-8d7a-4e55-9c1b-0a2f6e7d8c90"


def _contacts(start: int, n: int) -> list[dict[str, object]]:
    return [{"id": i, "email": f"c{i}@example.com"} for i in range(start, start + n)]


def test_reply_offset_paging(reply: Harness) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        skip = int(request.url.params.get("skip", "0"))
        top = int(request.url.params["top"])
        return json_response(200, {"items": _contacts(skip, min(top, 5 - skip)), "hasMore": skip + top < 5})

    client = reply.client(handler)
    page = reply.run(client.contacts.list(top=2))
    assert [c.id for c in page.items] == [0, 1] and page.has_next_page()
    assert [c.id for c in reply.collect(page)] == [0, 1, 2, 3, 4]
    assert [r.url.params.get("skip") for r in reply.requests] == [None, "2", "4"]
    second = reply.run(page.next_page())
    assert [c.id for c in second.items] == [2, 3]
    assert reply.requests[-1].url.params["skip"] == "2" and reply.requests[-1].url.params["top"] == "2"


def test_reply_iter_pages(reply: Harness) -> None:
    client = reply.client(lambda r: json_response(200, {"items": _contacts(0, 1), "hasMore": False}))
    page = reply.run(client.contacts.list())
    assert not page.has_next_page()
    if reply.is_async:

        async def pages() -> int:
            return len([p async for p in page.iter_pages()])

        assert reply.run(pages()) == 1
    else:
        assert len(list(page.iter_pages())) == 1


def test_reloop_page_paging_uses_root_totals(reloop: Harness) -> None:
    domains = [{**DOMAIN_BODY, "id": f"dom_{i}", "domain": f"d{i}.example.com"} for i in range(5)]

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params.get("page", "1"))
        limit = int(request.url.params.get("limit", "2"))
        chunk = domains[(page - 1) * limit : page * limit]
        body = {"object": "domain", "domains": chunk, "total": 5, "page": page, "limit": limit, "event": "domain.list"}
        return json_response(200, body)

    client = reloop.client(handler)
    page = reloop.run(client.domains.list(limit=2))
    assert len(page.items) == 2 and page.has_next_page()
    assert [d.domain for d in reloop.collect(page)] == [f"d{i}.example.com" for i in range(5)]
    assert [r.url.params.get("page") for r in reloop.requests] == [None, "2", "3"]


def _five_contacts(request: httpx.Request) -> httpx.Response:
    skip = int(request.url.params.get("skip", "0"))
    top = int(request.url.params.get("top", "2"))
    return json_response(200, {"items": _contacts(skip, min(top, 5 - skip)), "hasMore": skip + top < 5})


def test_async_for_directly_on_the_list_call(reply: Harness) -> None:
    client = reply.client(_five_contacts)
    if not reply.is_async:  # the sync twin: the call is the page, and iterating it walks all pages
        assert [contact.id for contact in client.contacts.list(top=2)] == [0, 1, 2, 3, 4]
        return

    async def every_id() -> list[int]:
        return [contact.id async for contact in client.contacts.list(top=2)]

    assert reply.run(every_id()) == [0, 1, 2, 3, 4]
    assert len(reply.requests) == 3
    listing = client.contacts.list(top=2)
    assert reply.requests[-1].url.params.get("skip") == "4"  # nothing sent until awaited or iterated
    page = reply.run(listing)
    assert type(page).__name__ == "AsyncPage" and [c.id for c in page.items] == [0, 1]


def test_next_page_past_the_last_page_is_a_clear_error(reply: Harness) -> None:
    client = reply.client(lambda r: json_response(200, {"items": _contacts(0, 1), "hasMore": False}))
    page = reply.run(client.contacts.list())
    with pytest.raises(reply.module.LastPageError, match="last page"):
        reply.run(page.next_page())
    assert not isinstance(reply.module.LastPageError("x"), StopIteration)


def _job(status: str) -> dict[str, object]:
    return {"jobId": JOB_ID, "status": status, "startedAt": "2026-03-08T14:30:00Z"}


def _scheduler(statuses: list[str]) -> tuple[list[str], object]:
    remaining = list(statuses)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v3/email-validations/schedule":
            return json_response(
                202,
                {"jobId": JOB_ID, "scheduledCount": 3, "creditsReserved": 3},
                {"location": f"v3/background-jobs/{JOB_ID}"},
            )
        if request.url.path.endswith("/cancel"):
            return httpx.Response(204)
        return json_response(200, _job(remaining.pop(0)))

    return remaining, handler


def _schedule(reply: Harness, client: object) -> object:
    return reply.run(client.email_validations.schedule(contact_ids=[1, 2, 3]))  # type: ignore[attr-defined]


def test_job_wait_until_done(reply: Harness) -> None:
    _, handler = _scheduler(["Scheduled", "Processing", "Done"])
    client = reply.client(handler)
    job = _schedule(reply, client)
    assert job.id == JOB_ID and job.accepted["scheduledCount"] == 3
    final = reply.run(job.wait(timeout=60, poll_interval=5))
    assert final.status == "Done" and reply.sleeps == [5, 5]
    assert reply.requests[1].url.path == f"/v3/background-jobs/{JOB_ID}"


@pytest.mark.parametrize("status", ["Failed", "Expired", "Cancelled"])
def test_job_failure_is_typed(reply: Harness, status: str) -> None:
    _, handler = _scheduler([status])
    client = reply.client(handler)
    job = _schedule(reply, client)
    with pytest.raises(reply.module.JobFailedError) as info:
        reply.run(job.wait())
    assert info.value.status == status


def test_job_wait_times_out_cleanly(reply: Harness) -> None:
    _, handler = _scheduler(["Processing"] * 10)
    client = reply.client(handler)
    job = _schedule(reply, client)
    with pytest.raises(reply.module.JobTimeoutError):
        reply.run(job.wait(timeout=4, poll_interval=2))
    assert sum(reply.sleeps) == pytest.approx(4)


def test_job_refresh_and_cancel(reply: Harness) -> None:
    _, handler = _scheduler(["Processing"])
    client = reply.client(handler)
    job = _schedule(reply, client)
    assert reply.run(job.refresh()).status == "Processing"
    reply.run(job.cancel(reason="no longer needed"))
    cancel = reply.requests[-1]
    assert cancel.method == "POST" and cancel.url.path == f"/v3/background-jobs/{JOB_ID}/cancel"
    assert json.loads(cancel.content) == {"reason": "no longer needed"}


def test_job_id_from_location_when_body_has_none(reply: Harness) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/schedule"):
            return httpx.Response(202, headers={"location": f"v3/background-jobs/{JOB_ID}"})
        return json_response(200, _job("Done"))

    client = reply.client(handler)
    job = _schedule(reply, client)
    assert job.id == JOB_ID


def test_raw_list_response_parses_into_the_page(reply: Harness) -> None:
    client = reply.client(_five_contacts)
    raw = reply.run(client.contacts.with_raw_response.list(top=2))
    assert raw.status_code == 200
    page = raw.parse()
    assert type(page).__name__ in ("SyncPage", "AsyncPage") and [c.id for c in page.items] == [0, 1]
    assert page.has_next_page()
    assert [c.id for c in reply.collect(page)] == [0, 1, 2, 3, 4]
