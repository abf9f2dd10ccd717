from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Generic, TypeVar

import httpx

from ._config import JobScheme as JobScheme  # defined with the other generated settings
from ._exceptions import APIError
from ._parsing import read_json
from ._request import RequestSpec

if TYPE_CHECKING:
    from ._base_client import AsyncAPIClient, SyncAPIClient

T = TypeVar("T")


class JobFailedError(APIError):
    """The job ended in a failed state (e.g. Failed, Expired, Cancelled)."""

    def __init__(self, message: str, *, job: object, status: str) -> None:
        super().__init__(message)
        self.job = job
        self.status = status


class JobTimeoutError(APIError):
    """wait() gave up before the job ended; the job itself keeps running."""

    def __init__(self, message: str, *, job: object) -> None:
        super().__init__(message)
        self.job = job


def job_id_from(response: httpx.Response, id_field: str) -> tuple[str, object]:
    """The job id from the body's id field, else from the Location header's last segment."""
    body: object = None
    if response.content:
        body = read_json(response)
    if isinstance(body, Mapping) and body.get(id_field):
        return str(body[id_field]), body
    location = response.headers.get("location", "")
    job_id = location.rstrip("/").rsplit("/", 1)[-1]
    if not job_id:
        raise APIError(f"202 response from {response.request.url.path} names no job (no {id_field!r}, no Location)")
    return job_id, body


def _status(job: object, field: str) -> str:
    value = job.get(field) if isinstance(job, Mapping) else getattr(job, field, None)
    value = getattr(value, "value", value)
    return str(value) if value is not None else ""


class _Job(Generic[T]):
    def __init__(self, *, job_id: str, accepted: object, scheme: JobScheme) -> None:
        self.id = job_id
        self.accepted = accepted
        """The body of the 202 answer that started the job."""
        self._scheme = scheme
        self.last: T | None = None
        """The job as last fetched by refresh() or wait()."""

    def _get_spec(self) -> RequestSpec:
        return RequestSpec(method="get", path=self._scheme.get_path, path_params={"id": self.id})

    def _cancel_spec(self, reason: str | None) -> RequestSpec:
        if self._scheme.cancel_path is None:
            raise APIError("this API has no way to cancel a job")
        field = self._scheme.cancel_reason_field
        if reason and field is None:
            raise ValueError("this API takes no reason when a job is cancelled")
        body: object = {field: reason} if reason and field else {}
        return RequestSpec(
            method="post", path=self._scheme.cancel_path, path_params={"id": self.id}, body=body, body_kind="json"
        )

    def _outcome(self, job: T) -> bool:
        """True when finished successfully; raises when it failed; False while running."""
        status = _status(job, self._scheme.status_field)
        if status in self._scheme.succeeded:
            return True
        if status in self._scheme.failed:
            raise JobFailedError(f"job {self.id} ended with status {status}", job=job, status=status)
        return False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.id!r}>"


class SyncJob(_Job[T]):
    """A background job started by a 202 answer: refresh(), wait(), cancel()."""

    def __init__(self, *, client: SyncAPIClient, job_id: str, accepted: object, scheme: JobScheme) -> None:
        super().__init__(job_id=job_id, accepted=accepted, scheme=scheme)
        self._client = client.base

    @classmethod
    def from_response(cls, client: SyncAPIClient, response: httpx.Response, scheme: JobScheme) -> SyncJob[T]:
        job_id, accepted = job_id_from(response, scheme.id_field)
        return cls(client=client, job_id=job_id, accepted=accepted, scheme=scheme)

    def refresh(self) -> T:
        job: T = self._client._request(self._get_spec(), self._scheme.cast_to())
        self.last = job
        return job

    def wait(self, *, timeout: float = 300.0, poll_interval: float = 2.0) -> T:
        """Poll until the job ends; the finished job, or JobFailedError / JobTimeoutError."""
        deadline = self._client._clock() + timeout
        while True:
            job = self.refresh()
            if self._outcome(job):
                return job
            remaining = deadline - self._client._clock()
            if remaining <= 0:
                raise JobTimeoutError(f"job {self.id} still running after {timeout:g}s", job=job)
            self._client._sleep(min(poll_interval, remaining))

    def cancel(self, reason: str | None = None) -> None:
        self._client.send(self._cancel_spec(reason))


class AsyncJob(_Job[T]):
    """A background job started by a 202 answer: refresh(), wait(), cancel()."""

    def __init__(self, *, client: AsyncAPIClient, job_id: str, accepted: object, scheme: JobScheme) -> None:
        super().__init__(job_id=job_id, accepted=accepted, scheme=scheme)
        self._client = client.base

    @classmethod
    def from_response(cls, client: AsyncAPIClient, response: httpx.Response, scheme: JobScheme) -> AsyncJob[T]:
        job_id, accepted = job_id_from(response, scheme.id_field)
        return cls(client=client, job_id=job_id, accepted=accepted, scheme=scheme)

    async def refresh(self) -> T:
        job: T = await self._client._request(self._get_spec(), self._scheme.cast_to())
        self.last = job
        return job

    async def wait(self, *, timeout: float = 300.0, poll_interval: float = 2.0) -> T:
        """Poll until the job ends; the finished job, or JobFailedError / JobTimeoutError."""
        deadline = self._client._clock() + timeout
        while True:
            job = await self.refresh()
            if self._outcome(job):
                return job
            remaining = deadline - self._client._clock()
            if remaining <= 0:
                raise JobTimeoutError(f"job {self.id} still running after {timeout:g}s", job=job)
            await self._client._async_sleep(min(poll_interval, remaining))

    async def cancel(self, reason: str | None = None) -> None:
        await self._client.send(self._cancel_spec(reason))
