"""Per-request overhead: the generated client against raw httpx on the same loopback server.

A loopback server (`_list_server.py`, its own process) answers every GET with one typical list
response: a page of 10 Reloop domains, each with a DNS record (about 11 KB of JSON). Each round
sends N sequential GETs with:

* raw httpx: `http.get(url, headers=...)`, status check, `DomainList.model_validate(r.json())`
  (the same parsing a hand-written client would do, into the same pydantic model);
* the generated client: `client.domains.list(limit=10)` (a SyncPage / AsyncPage of Domain).

Both share nothing but the server; each has one warm keep-alive connection. Sync and async are
measured separately; within a round the contenders take turns in blocks of 100 requests, and the
median of the rounds counts.
Client-side rate limiting is off (`rate_limits=[]`, which still runs the limiter's bookkeeping):
the spec's quotas would pace 2,000 requests. Prints time per request and the ratio
generated / raw; target <= 1.25. Also shown: raw httpx without model parsing, for scale.

    .venv/bin/python benchmarks/overhead.py [--requests 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "generated" / "reloop" / "src")]

import httpx  # noqa: E402
import reloop  # noqa: E402
from reloop.models import DomainList  # noqa: E402

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


@contextmanager
def serve() -> Iterator[str]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as body:
        json.dump(BODY, body)
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("_list_server.py")), body.name],
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


def _timed(call: Callable[[], object], n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - started) / n


async def _atimed(call: Callable[[], Awaitable[object]], n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        await call()
    return (time.perf_counter() - started) / n


def bench_sync(base_url: str, n: int, rounds: int) -> dict[str, float]:
    url = base_url + "/api/domain/v1/list?limit=10"
    with httpx.Client() as raw_http, httpx.Client() as json_http, httpx.Client() as sdk_http:
        client = reloop.Reloop(api_key="rl_bench", base_url=base_url, http_client=sdk_http, rate_limits=[])

        def raw() -> object:
            response = raw_http.get(url, headers=HEADERS)
            response.raise_for_status()
            return DomainList.model_validate(response.json())

        def raw_json() -> object:
            response = json_http.get(url, headers=HEADERS)
            response.raise_for_status()
            return response.json()

        def sdk() -> object:
            return client.domains.list(limit=10)

        contenders = {"raw": raw, "raw_json": raw_json, "sdk": sdk}
        for call in contenders.values():
            _timed(call, 50)  # connections, lazy imports, pydantic schemas
        results: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(rounds):
            totals = dict.fromkeys(contenders, 0.0)
            for _ in range(n // BLOCK):
                for name, call in contenders.items():
                    totals[name] += _timed(call, BLOCK) * BLOCK
            for name, total in totals.items():
                results[name].append(total / (n // BLOCK * BLOCK))
    return {name: statistics.median(times) for name, times in results.items()}


async def bench_async(base_url: str, n: int, rounds: int) -> dict[str, float]:
    url = base_url + "/api/domain/v1/list?limit=10"
    async with httpx.AsyncClient() as raw_http, httpx.AsyncClient() as json_http, httpx.AsyncClient() as sdk_http:
        client = reloop.AsyncReloop(api_key="rl_bench", base_url=base_url, http_client=sdk_http, rate_limits=[])

        async def raw() -> object:
            response = await raw_http.get(url, headers=HEADERS)
            response.raise_for_status()
            return DomainList.model_validate(response.json())

        async def raw_json() -> object:
            response = await json_http.get(url, headers=HEADERS)
            response.raise_for_status()
            return response.json()

        async def sdk() -> object:
            return await client.domains.list(limit=10)

        contenders = {"raw": raw, "raw_json": raw_json, "sdk": sdk}
        for call in contenders.values():
            await _atimed(call, 50)
        results: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(rounds):
            totals = dict.fromkeys(contenders, 0.0)
            for _ in range(n // BLOCK):
                for name, call in contenders.items():
                    totals[name] += await _atimed(call, BLOCK) * BLOCK
            for name, total in totals.items():
                results[name].append(total / (n // BLOCK * BLOCK))
    return {name: statistics.median(times) for name, times in results.items()}


def report(mode: str, figures: dict[str, float]) -> None:
    ratio = figures["sdk"] / figures["raw"]
    extra = (figures["sdk"] - figures["raw"]) * 1e6
    verdict = "ok" if ratio <= TARGET else "OVER"
    print(
        f"{mode:5}  raw httpx {figures['raw'] * 1e6:7.0f} us  generated {figures['sdk'] * 1e6:7.0f} us  "
        f"ratio {ratio:4.2f} (<= {TARGET}: {verdict}; +{extra:.0f} us/request)   "
        f"[raw httpx, JSON only: {figures['raw_json'] * 1e6:.0f} us]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(
        f"{args.requests} sequential GETs per round, median of {args.rounds} rounds, "
        f"{len(json.dumps(BODY))} byte list response"
    )
    with serve() as base_url:
        report("sync", bench_sync(base_url, args.requests, args.rounds))
        report("async", asyncio.run(bench_async(base_url, args.requests, args.rounds)))


if __name__ == "__main__":
    main()
