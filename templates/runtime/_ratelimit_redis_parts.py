"""Small parts of the Redis limiter (`_ratelimit_redis_base.py`): the registered scripts, a planned
slot, and the errors that carry an outage between calls."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from ._ratelimit_redis_heartbeat import BEAT
from ._ratelimit_redis_scripts import HOLD, REJOIN, SCRIPT

# A Redis failure is logged as a warning at most this often (seconds); else at debug level.
_WARN_EVERY = 30.0


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        msg = "RedisRateLimiter needs redis-py: pip install redis (or install this package with its [redis] extra)"
        raise ImportError(msg) from exc


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _left(max_wait: float | None, waited: float) -> float | None:
    return None if max_wait is None else max_wait - waited


def _counted(raw: Any) -> tuple[int, float]:
    """A heartbeat's or rejoin's reply: the participants, and the Redis time it was sent at."""
    return int(_text(raw[0])), float(_text(raw[1]))


@dataclass(frozen=True)
class _Slot:
    group: str | None
    delay: float
    start: float  # on the Redis clock
    member: str
    reason: str
    started: bool


@dataclass(frozen=True)
class _Plan:
    keys: list[str]  # seq, members, shares, holds, then (planned, started, in flight) per window
    holds: int
    window_args: list[str]
    indices: list[int]  # the limits these windows are, in order


class _Down(Exception):
    """Redis failed during an acquire (a call sent at `sent`), after `waited` seconds of waiting."""

    def __init__(self, waited: float, cause: BaseException, sent: float) -> None:
        super().__init__(str(cause))
        self.waited = waited
        self.cause = cause
        self.sent = sent


class _Left(Exception):
    """Another caller of this limiter found Redis down while this one was waiting for a slot."""


class _Scripts:
    """The scripts registered on one redis-py client (sync or asyncio)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.run = client.register_script(SCRIPT)
        self.hold = client.register_script(HOLD)
        self.rejoin = client.register_script(REJOIN)
        self.beat = client.register_script(BEAT)
