"""Per-request overhead: the generated client against raw httpx on the same loopback server.

A loopback server (`_list_server.py`, its own process) answers every GET with one typical list
response, a page of 10 Reloop domains, each with a DNS record (about 11 KB of JSON), and every
POST with one contact. Each round sends N sequential requests of each kind with:

* raw httpx: `http.get(url, headers=...)`, status check, `DomainList.model_validate(r.json())`
  (the same parsing a hand-written client would do, into the same pydantic model);
* the generated client: `client.domains.list(limit=10)` (a SyncPage / AsyncPage of Domain);
* POST, raw httpx: `http.post(url, json={"email": ..., "firstName": ..., "lastName": ...})`,
  status check, `Contact.model_validate(r.json())`;
* POST, the generated client: `client.contacts.create(email=..., first_name=..., last_name=...)`,
  the body given as keyword arguments (snake_case names sent under their wire names).

Both share nothing but the server; each has one warm keep-alive connection. Sync and async are
measured separately; within a round the contenders take turns in blocks of 100 requests, and the
median of the rounds counts.
Client-side rate limiting is off (`rate_limits=[]`, which still runs the limiter's bookkeeping):
the spec's quotas would pace 2,000 requests. Prints time per request and the ratio
generated / raw for each kind; target <= 1.25. Beside it, the client process's CPU time per
request and its ratio: on a shared machine wall time also counts waiting for a core, CPU time
does not (the server's work is in its own process). Also shown: raw httpx without model parsing, for
scale. `--generated DIR` measures the packages of another checkout (DIR/reloop/src), so two
versions can be compared in one session.

    .venv/bin/python benchmarks/overhead.py [--requests 2000] [--rounds 3] [--generated DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import httpx

ROOT = Path(__file__).resolve().parent.parent

TARGET = 1.25
# Contenders take turns in blocks of this many requests, so a load spike elsewhere on the machine
# hits all of them alike instead of whichever happened to be running.
BLOCK = 100
HEADERS = {"x-api-key": "rl_bench", "Accept": "application/json"}


def _domain(i: int) -> dict[str, object]:
    return {
        "object": "domain",
        "id": f"dom_{i:04d}",
        "domain": f"mail{i}.example.com",
        "status": "active",
        "userVerifiedDomain": True,
        "systemVerified": True,
        "customReturnPath": "inbound",
        "trackingSubdomain": "tracking",
        "isClickTrackingEnabled": False,
        "isOpenTrackingEnabled": True,
        "tls": "opportunistic",
        "isTrackingDomain": False,
        "isSendingEmailEnabled": True,
        "isReceivingEmailEnabled": True,
        "verificationFailedReason": None,
        "dnsRecords": [
            {
                "id": f"dns_{i:04d}",
                "recordType": "TXT",
                "recordTypeName": "DKIM",
                "domain": f"mail{i}.example.com",
                "name": f"reloop._domainkey.mail{i}.example.com",
                "value": "v=DKIM1; k=rsa; p=MIIBIjANBgkqh" + "A" * 200,
                "ttl": "Auto",
                "priority": None,
                "verificationError": None,
                "purpose": "sending",
                "status": "verified",
                "createdAt": "2026-03-23T10:00:00.000Z",
                "updatedAt": "2026-03-23T10:00:00.000Z",
            }
        ],
        "lastVerifiedAt": "2026-03-23T10:00:00.000Z",
        "createdAt": "2026-03-23T10:00:00.000Z",
        "updatedAt": "2026-03-24T08:30:00.000Z",
    }


BODY = {
    "object": "domain",
    "event": "domain.list",
    "domains": [_domain(i) for i in range(10)],
    "total": 10,
    "page": 1,
    "limit": 10,
}


NEW_CONTACT = {"email": "ann@example.com", "firstName": "Ann", "lastName": "Lee"}
CREATED = {
    "object": "contact",
    "id": "con_5Hj2Kp8Qw3Ln",
    **NEW_CONTACT,
    "status": "subscribed",
    "properties": {"plan": "pro", "seats": 3},
    "groups": [{"id": "grp_1", "name": "Customers"}],
    "channels": [{"id": "chn_1", "name": "Newsletter", "subscription": "opt_in"}],
    "suppressionReason": None,
    "suppressedAt": None,
    "createdAt": "2026-03-23T10:00:00.000Z",
    "updatedAt": "2026-03-23T10:00:00.000Z",
}


@contextmanager
def serve() -> Iterator[str]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as body:
        json.dump(BODY, body)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as created:
        json.dump(CREATED, created)
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("_list_server.py")), body.name, created.name],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield f"http://127.0.0.1:{int(proc.stdout.readline())}"
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        Path(body.name).unlink(missing_ok=True)
        Path(created.name).unlink(missing_ok=True)


def _timed(call: Callable[[], object], n: int) -> tuple[float, float]:
    """(wall, CPU) seconds per call; CPU time is this process's, which other load does not inflate."""
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        call()
    return (time.perf_counter() - wall) / n, (time.process_time() - cpu) / n


async def _atimed(call: Callable[[], Awaitable[object]], n: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        await call()
    return (time.perf_counter() - wall) / n, (time.process_time() - cpu) / n


def _contenders_sync(reloop: ModuleType, base_url: str, raw_http: httpx.Client, sdk_http: httpx.Client) -> Contenders:
    from reloop.models import Contact, DomainList

    url = base_url + "/api/domain/v1/list?limit=10"
    create_url = base_url + "/api/contacts/create"
    client = reloop.Reloop(api_key="rl_bench", base_url=base_url, http_client=sdk_http, rate_limits=[])

    def raw() -> object:
        response = raw_http.get(url, headers=HEADERS)
        response.raise_for_status()
        return DomainList.model_validate(response.json())

    def raw_json() -> object:
        response = raw_http.get(url, headers=HEADERS)
        response.raise_for_status()
        return response.json()

    def sdk() -> object:
        return client.domains.list(limit=10)

    def raw_post() -> object:
        response = raw_http.post(create_url, json=NEW_CONTACT, headers=HEADERS)
        response.raise_for_status()
        return Contact.model_validate(response.json())

    def sdk_post() -> object:
        return client.contacts.create(email="ann@example.com", first_name="Ann", last_name="Lee")

    return {"raw": raw, "raw_json": raw_json, "sdk": sdk, "raw_post": raw_post, "sdk_post": sdk_post}


def _contenders_async(
    reloop: ModuleType, base_url: str, raw_http: httpx.AsyncClient, sdk_http: httpx.AsyncClient
) -> AsyncContenders:
    from reloop.models import Contact, DomainList

    url = base_url + "/api/domain/v1/list?limit=10"
    create_url = base_url + "/api/contacts/create"
    client = reloop.AsyncReloop(api_key="rl_bench", base_url=base_url, http_client=sdk_http, rate_limits=[])

    async def raw() -> object:
        response = await raw_http.get(url, headers=HEADERS)
        response.raise_for_status()
        return DomainList.model_validate(response.json())

    async def raw_json() -> object:
        response = await raw_http.get(url, headers=HEADERS)
        response.raise_for_status()
        return response.json()

    async def sdk() -> object:
        return await client.domains.list(limit=10)

    async def raw_post() -> object:
        response = await raw_http.post(create_url, json=NEW_CONTACT, headers=HEADERS)
        response.raise_for_status()
        return Contact.model_validate(response.json())

    async def sdk_post() -> object:
        return await client.contacts.create(email="ann@example.com", first_name="Ann", last_name="Lee")

    return {"raw": raw, "raw_json": raw_json, "sdk": sdk, "raw_post": raw_post, "sdk_post": sdk_post}


Contenders = dict[str, Callable[[], object]]
AsyncContenders = dict[str, Callable[[], Awaitable[object]]]


Figures = dict[str, tuple[float, float]]  # contender -> (wall, CPU) seconds per request


def _rounds(times: dict[str, list[tuple[float, float]]]) -> Figures:
    return {
        name: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
        for name, values in times.items()
    }


def _round(totals: dict[str, list[float]], requests: int) -> dict[str, tuple[float, float]]:
    return {name: (wall / requests, cpu / requests) for name, (wall, cpu) in totals.items()}


def bench_sync(reloop: ModuleType, base_url: str, n: int, rounds: int) -> Figures:
    # Raw contenders share one connection (they take turns), the generated client has its own.
    with httpx.Client() as raw_http, httpx.Client() as sdk_http:
        contenders = _contenders_sync(reloop, base_url, raw_http, sdk_http)
        for call in contenders.values():
            _timed(call, 50)  # connections, lazy imports, pydantic schemas
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in contenders}
        for _ in range(rounds):
            totals = {name: [0.0, 0.0] for name in contenders}
            for _ in range(n // BLOCK):
                for name, call in contenders.items():
                    wall, cpu = _timed(call, BLOCK)
                    totals[name][0] += wall * BLOCK
                    totals[name][1] += cpu * BLOCK
            for name, figures in _round(totals, n // BLOCK * BLOCK).items():
                results[name].append(figures)
    return _rounds(results)


async def bench_async(reloop: ModuleType, base_url: str, n: int, rounds: int) -> Figures:
    async with httpx.AsyncClient() as raw_http, httpx.AsyncClient() as sdk_http:
        contenders = _contenders_async(reloop, base_url, raw_http, sdk_http)
        for call in contenders.values():
            await _atimed(call, 50)
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in contenders}
        for _ in range(rounds):
            totals = {name: [0.0, 0.0] for name in contenders}
            for _ in range(n // BLOCK):
                for name, call in contenders.items():
                    wall, cpu = await _atimed(call, BLOCK)
                    totals[name][0] += wall * BLOCK
                    totals[name][1] += cpu * BLOCK
            for name, figures in _round(totals, n // BLOCK * BLOCK).items():
                results[name].append(figures)
    return _rounds(results)


def _line(label: str, raw: tuple[float, float], sdk: tuple[float, float]) -> str:
    ratio = sdk[0] / raw[0]
    verdict = "ok" if ratio <= TARGET else "OVER"
    return (
        f"{label:11}  raw httpx {raw[0] * 1e6:7.0f} us  generated {sdk[0] * 1e6:7.0f} us  "
        f"ratio {ratio:4.2f} (<= {TARGET}: {verdict}; {(sdk[0] - raw[0]) * 1e6:+.0f} us/request)  "
        f"CPU {raw[1] * 1e6:4.0f} / {sdk[1] * 1e6:4.0f} us, ratio {sdk[1] / raw[1]:4.2f}"
    )


def report(mode: str, figures: Figures) -> None:
    json_only = figures["raw_json"][0] * 1e6
    print(_line(f"{mode} GET", figures["raw"], figures["sdk"]) + f"   [JSON only: {json_only:.0f} us]")
    print(_line(f"{mode} POST", figures["raw_post"], figures["sdk_post"]))


def _import_reloop(generated: Path) -> ModuleType:
    sys.path.insert(0, str(generated / "reloop" / "src"))
    module = importlib.import_module("reloop")
    print(f"reloop {module.__version__} from {Path(str(module.__file__)).parent}")
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--generated", type=Path, default=ROOT / "generated", help="folder of the packages")
    args = parser.parse_args()
    reloop = _import_reloop(args.generated.resolve())
    print(
        f"{args.requests} sequential requests of each kind per round, median of {args.rounds} rounds, "
        f"{len(json.dumps(BODY))} byte list response, {len(json.dumps(CREATED))} byte POST response"
    )
    with serve() as base_url:
        report("sync", bench_sync(reloop, base_url, args.requests, args.rounds))
        report("async", asyncio.run(bench_async(reloop, base_url, args.requests, args.rounds)))


if __name__ == "__main__":
    main()
