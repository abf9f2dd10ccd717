"""Downstream code as a Reply.io user writes it; type-checked, never run (not a test module).

`make typecheck` runs mypy --strict (with --disallow-any-expr) and pyright in strict mode on this
file: every value read here must have a real type, and assert_type pins the important ones.
"""

from __future__ import annotations

import asyncio
from typing import assert_type

from replyio import AsyncJob, AsyncReply, JobFailedError, Reply, SyncJob, SyncPage, UnprocessableEntityError
from replyio.models import BackgroundJob, Contact, ContactCompanySizeInput, SequenceListItem, Whoami
from replyio.params import ContactCustomFieldValueParam


def who(client: Reply) -> int:
    me = client.whoami.retrieve()
    assert_type(me, Whoami)
    team: int = me.team_id
    print(me.username, team)
    return me.user_id


def contacts(client: Reply) -> list[int]:
    page = client.contacts.list(top=100)
    assert_type(page, SyncPage[Contact])
    # Reply's document marks no contact field required, so even `id` is optional to the checker.
    ids = [contact.id for contact in page if contact.id is not None]
    field: ContactCustomFieldValueParam = {"key": "Plan", "value": "pro"}
    created = client.contacts.create(
        email="ada@example.com",
        first_name="Ada",
        company="Acme",
        company_size="Fifty",  # the plain value where an enum is declared
        custom_fields=[field],
    )
    client.contacts.create(email="bob@example.com", company_size=ContactCompanySizeInput.TEN)
    assert_type(created, Contact)
    email: str | None = created.email
    print(email)
    try:
        client.contacts.create(email="not-an-email")
    except UnprocessableEntityError as error:
        for item in error.errors:
            pointer: str | None = item.pointer
            print(pointer, item.detail)
        title: str | None = error.title
        print(title)
    return ids


def sequences(client: Reply) -> list[str]:
    names: list[str] = []
    for sequence in client.sequences.list(is_archived=False):
        assert_type(sequence, SequenceListItem)
        names.append(f"{sequence.id}: {sequence.name} ({sequence.status})")
    return names


def validate_emails(client: Reply, contact_ids: list[int]) -> str:
    job = client.email_validations.schedule(contact_ids=contact_ids)
    assert_type(job, SyncJob[BackgroundJob])
    try:
        finished = job.wait(timeout=120.0, poll_interval=5.0)
    except JobFailedError as error:
        return f"failed: {error.status}"
    assert_type(finished, BackgroundJob)
    progress: float | None = finished.progress
    print(progress)
    return str(finished.status)


def export(client: Reply) -> list[str]:
    csv = client.holiday_calendars.export_csv(230)
    assert_type(csv, str)
    with client.holiday_calendars.with_streaming_response.export_csv(230) as response:
        lines = list(response.iter_lines())
    raw_page = client.contacts.with_raw_response.list(top=10).parse()
    assert_type(raw_page, SyncPage[Contact])
    return csv.splitlines() + lines


async def async_usage() -> int:
    async with AsyncReply(api_key="key") as client:
        me = await client.whoami.retrieve()
        count = 0
        async for _contact in client.contacts.list():
            count += 1
        job = await client.email_validations.schedule(contact_ids=[1, 2])
        assert_type(job, AsyncJob[BackgroundJob])
        done = await job.wait()
        print(done.job_id)
        return me.user_id + count


def main() -> None:
    with Reply(api_key="key") as client:
        ids = contacts(client)
        who(client)
        sequences(client)
        validate_emails(client, ids)
        export(client)
    asyncio.run(async_usage())
