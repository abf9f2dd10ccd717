"""What a `RedisRateLimiter` does while Redis is unreachable, and how it joins the others again.

States: `shared` (Redis decides), `local` (Redis failed: this process limits itself to its share
of every quota), `rejoining` (Redis answers again: both Redis and the local share must allow a
start until every process can have rejoined and the requests made meanwhile are in Redis).

* Share: each Redis reply carries the number of participants (limiter instances seen within
  the participant TTL); during an outage a process allows itself `requests // participants`
  (at least 1) per window, so together they stay within the quota.
* Onset: the windows in Redis already hold requests of every process, and this one cannot know
  which. Each reply carries, per window, the newest `share` entries up to then and the earliest
  `share` slots planned after it (rounded to later times, never earlier). When Redis fails, a
  process counts as its own the newest `share` of those that can have started (planned slots
  later than the failed call did not: Redis answered nobody after it). So in any window the
  server sees either only requests made before the outage (at most the quota), or fewer than
  `share` of them plus at most `share - that many` from each process. A window without a recent
  view is taken as full at the moment Redis failed. The price: a process may wait up to a window
  before its first request alone.
* Partial outage: Redis may have failed for this process only. The others keep its share free
  once it has been silent for `quiet` (heartbeats, `_ratelimit_redis_scripts.py`), and may fill
  the whole quota until then, so each local window starts full at the last contact plus `quiet`:
  its first request alone goes a window after that. Past `participant_ttl` the others forget it;
  it goes on at its share and warns.
* Probes: while local, one background probe every `probe_interval` asks Redis again; calls
  never wait for Redis meanwhile.
* Rejoin: the requests made locally are written into Redis, then `rejoining` lasts until every
  process can have probed again and a full window has passed since the outage began (a Redis
  that restarted empty lost the requests made before it).

Everything here is guarded by one lock and never does I/O; `RedisRateLimiter` does the Redis
calls and sleeping.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from ._ratelimit import RateLimit, RateLimiter, default_margin

State = Literal["shared", "local", "rejoining"]
# At most this many seeds per step of a view; keeps a corrupt reply from using up memory.
_MAX_SEEDS = 100_000


@dataclass(frozen=True)
class View:
    """Window entries as a reply showed them, on the local clock: `started` newest first as
    (time, count), `planned` earliest first as (earliest, latest, count), of `ahead` planned
    slots in all."""

    seen_at: float
    started: list[tuple[float, int]]
    planned: list[tuple[float, float, int]]
    ahead: int = 0

    def seeds(self, share: int, cut: float) -> list[float]:
        """The newest `share` entries that can have started by `cut`, at times never earlier."""
        shown = sum(count for *_, count in self.planned)
        if self.ahead > shown and self.planned[-1][1] < cut:
            # Only the earliest planned slots were shown, all before `cut`: later ones, not
            # shown, may have started too, up to `cut`.
            return [cut] * share
        seeds: list[float] = []
        for early, late, count in self.planned:
            if early <= cut:
                seeds.extend([min(late, cut)] * count)
        seeds = seeds[:share]
        for t, count in self.started:
            seeds.extend([t] * min(count, share - len(seeds)))
        return seeds


def parse_view(text: str, now: float) -> View:
    """`"age:count,...|ahead|early age:late age:count,..."` (ages on the Redis clock) -> a View."""
    started_text, _, rest = text.partition("|")
    ahead_text, _, planned_text = rest.partition("|")
    started = []
    for part in filter(None, started_text.split(",")):
        age, _, count = part.partition(":")
        started.append((now - float(age), min(int(count), _MAX_SEEDS)))
    planned = []
    for part in filter(None, planned_text.split(",")):
        early, late, count = part.split(":")
        planned.append((now - float(early), now - float(late), min(int(count), _MAX_SEEDS)))
    return View(now, started, planned, int(ahead_text or 0))


def in_flight_key(start: float) -> str:
    """What names a request started alone (at `start`, local clock) that was still in flight when
    its process rejoined Redis: its member there is `r:<participant>:<key>`."""
    return repr(start)


class Failover:
    def __init__(
        self,
        limits: Sequence[RateLimit],
        *,
        margin: float | None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] = time.sleep,
        async_sleep: Callable[[float], Awaitable[object]],
        logger: logging.Logger,
        probe_interval: float,
        rejoin_after: float,
        lookahead: float,
        quiet: float = 0.0,
        participant_ttl: float = 60.0,
        default_backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_hold: float = 3600.0,
    ) -> None:
        self._limits = tuple(limits)
        self._spans = [item.per + (default_margin(item.per) if margin is None else margin) for item in self._limits]
        self._margin = margin
        self._clock = clock
        self._sleep = sleep
        self._async_sleep = async_sleep
        self._logger = logger
        self._backoff = (default_backoff, max_backoff, max_hold)
        self.probe_interval = probe_interval
        self.rejoin_after = rejoin_after
        self.lookahead = lookahead
        self.quiet = quiet
        self.participant_ttl = participant_ttl
        self._lock = threading.Lock()
        self.state: State = "shared"
        self.participants = 0  # as last seen in Redis; 0 before the first reply
        self.outages = 0
        self._views: dict[int, View] = {}  # limit index -> its latest view
        self._fallback: RateLimiter | None = None
        self._share_of = 1
        self._seeds: list[list[float]] = [[] for _ in self._limits]
        self._since = 0.0
        self._rejoin_until = 0.0
        self._next_probe = 0.0
        self._probing = False
        self._contact = 0.0  # when Redis last answered this process (a reply received)
        # The Redis time of the newest reply whose participant count was taken: an older reply
        # that arrives later is not taken (Redis keeps free what this process may hold, `held`).
        self._answered: float | None = None
        self._unreserved_warned = False
        # Starts (local clock) of the requests in flight when this process rejoined: Redis
        # holds them as in flight until their responses (`in_flight_key`).
        self._written_in_flight: set[float] = set()

    # ------------------------------------------------------------------ while shared

    def saw(
        self, participants: int, indices: Sequence[int], views: Sequence[str], answered: float | None = None
    ) -> bool:
        """A reserve/start reply sent at `answered` (Redis clock): the participants and, per
        window of `indices`, its view. True when it raised the count held (`held`): Redis keeps
        more free for this process than it needs until a call tells it."""
        now = self._clock()
        parsed = [(index, parse_view(text, now)) for index, text in zip(indices, views, strict=False)]
        with self._lock:
            raised = self._take(participants, answered)
            self._views.update(parsed)
            self._contacted(now)
            return raised

    def contacted(self, participants: int, answered: float | None = None) -> bool:
        """A heartbeat (or rejoin) was answered at `answered` (Redis clock), counting
        `participants`; True as for `saw`."""
        now = self._clock()
        with self._lock:
            raised = self._take(participants, answered)
            self._contacted(now)
            return raised

    def _take(self, participants: int, answered: float | None) -> bool:
        before = self._held()
        if answered is None:
            self.participants = participants
        elif self._answered is None or answered >= self._answered:
            self.participants, self._answered = participants, answered
        return self._held() > before

    def _held(self) -> int:
        divisor = max(1, self.participants)
        return divisor if self.state == "shared" else min(divisor, self._share_of)

    def held(self) -> str:
        """What Redis is to keep free for this process if it falls silent: `"<n>@<answered>"`, the
        smallest count it would divide the quota by if Redis failed now (while rejoining, the
        local share it would go back to, or the count once rejoined) and the Redis time of the
        reply it holds (Redis adds the counts of the newer replies it sent, which may still be
        taken)."""
        with self._lock:
            return f"{self._held()}@{'' if self._answered is None else repr(self._answered)}"

    def _contacted(self, now: float) -> None:
        self._contact = max(self._contact, now)
        fallback = self._fallback
        if self.state == "local" and fallback is not None:
            # A reply that was on its way when Redis failed: the others count this process
            # as present until `quiet` after it.
            self._reserve_wait(fallback)

    # ------------------------------------------------------------------ outage

    def failed(self, sent: float) -> bool:
        """Redis failed a call sent at `sent` (so it answered nothing later than that). Returns
        True when this starts an outage (the caller warns)."""
        with self._lock:
            if self.state == "local":
                return False
            now = self._clock()
            previous = self._fallback if self.state == "rejoining" else None
            share_of = max(1, self.participants, self._share_of if previous is not None else 1)
            if previous is None:
                limits = [RateLimit(max(1, item.requests // share_of), item.per, item.group) for item in self._limits]
                default_backoff, max_backoff, max_hold = self._backoff
                self._fallback = RateLimiter(
                    limits,
                    clock=self._clock,
                    sleep=self._sleep,
                    logger=self._logger,
                    margin=self._margin,
                    default_backoff=default_backoff,
                    max_backoff=max_backoff,
                    max_hold=max_hold,
                    async_sleep=self._async_sleep,
                )
                self._seeds = [[] for _ in self._limits]
                self._share_of = share_of
            fallback = self._fallback
            assert fallback is not None
            for index, item in enumerate(fallback.limits):
                view = self._views.get(index)
                if view is not None and now - view.seen_at <= self.lookahead:
                    # Redis answered nobody after it failed our call (nor after our last reply).
                    times = view.seeds(item.requests, max(sent, view.seen_at))
                elif previous is None and self.participants > 0:
                    times = [sent] * item.requests  # no recent view: assume the window was full
                else:
                    times = []
                fallback.seed(index, times)
                self._seeds[index].extend(times)
            if self.participants > 0:
                self._reserve_wait(fallback)
            self._unreserved_warned = False
            self.state = "local"
            self._since = now
            self._next_probe = now + self.probe_interval
            self.outages += 1
            return True

    def _reserve_wait(self, fallback: RateLimiter) -> None:
        """Only Redis may have failed for this process while the others still reach it: they
        go on using the whole quota until they see it silent for `quiet`, and keep its share
        free from then on. Its requests alone must reach the server after the others' older
        ones have left every window, so each local window starts full at that moment."""
        at = self._contact + self.quiet
        for index, item in enumerate(fallback.limits):
            if at not in self._seeds[index]:
                times = [at] * item.requests
                fallback.seed(index, times)
                self._seeds[index].extend(times)

    def answered_alone(self, start: float) -> str | None:
        """A request started alone at `start` was answered: the key it was written into Redis
        under while still in flight, if it was (it is to be completed there too)."""
        with self._lock:
            if start in self._written_in_flight:
                self._written_in_flight.discard(start)
                return in_flight_key(start)
            return None

    @property
    def share_of(self) -> int:
        """The number of participants the local shares were computed for."""
        return self._share_of

    def current(self) -> tuple[State, RateLimiter | None]:
        """The state, and the local share limiter while local or rejoining (else None)."""
        with self._lock:
            now = self._clock()
            if self.state == "rejoining" and now >= self._rejoin_until:
                self.state = "shared"
                self._fallback = None
                self._logger.info("rate limit: every process has rejoined; Redis alone decides again")
            elif (
                self.state == "local"
                and not self._unreserved_warned
                and self.participants > 1
                and now > self._contact + self.participant_ttl
            ):
                self._unreserved_warned = True
                self._logger.warning(
                    "rate limit: Redis unreachable for over %.0fs (participant_ttl): if the other processes "
                    "still reach it they no longer keep this process's share free, and the quota may be exceeded",
                    self.participant_ttl,
                )
            return self.state, self._fallback

    def want_probe(self) -> bool:
        """True for the one caller that should probe Redis now (local state, probe due)."""
        with self._lock:
            if self.state != "local" or self._probing or self._clock() < self._next_probe:
                return False
            self._probing = True
            return True

    def probe_failed(self) -> None:
        with self._lock:
            self._probing = False
            self._next_probe = self._clock() + self.probe_interval

    def rejoined(self, participants: int) -> list[list[tuple[float, str]]]:
        """Redis answered a probe: switch to `rejoining` and return, per limit, the requests
        started locally that are still inside their window, to write into Redis: (age, key),
        `key` naming one still in flight (`in_flight_key`), else "".

        Only requests that started: a slot the local limiter planned but had not started by
        now is no longer its to give (`RedisRateLimiter` withdraws it and asks Redis)."""
        with self._lock:
            self._probing = False
            now = self._clock()
            self.participants = max(participants, self.participants)
            self._contact = max(self._contact, now)
            fallback = self._fallback
            ages: list[list[tuple[float, str]]] = [[] for _ in self._limits]
            if fallback is not None:
                for index, span in enumerate(self._spans):
                    started, flying = fallback.policy.started(index)
                    own = Counter(started)
                    own.subtract(Counter(self._seeds[index]))
                    keys = {t: in_flight_key(t) for t in flying}
                    self._written_in_flight.update(flying)
                    ages[index] = sorted(
                        (now - t, keys.get(t, "")) for t, n in own.items() for _ in range(n) if t > now - span
                    )
            self.state = "rejoining"
            self._rejoin_until = max(now + self.rejoin_after, self._since + max(self._spans, default=0.0))
            outage = now - self._since
        self._logger.info("rate limit: Redis answers again after %.1fs; sharing the quota again", outage)
        return ages
