"""A progress bar on stderr for long generations: which stage runs and for how long.

Drawn only on a terminal and only once a run has taken a second, so quick runs, pipes and CI logs
stay clean. A ticker thread redraws it, because the model stage is one long call.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

STAGES = ("load", "validate", "prepare", "lower", "render", "models", "format")
_WIDTH = 28


class Progress:
    def __init__(self, stream: TextIO | None = None, *, delay: float = 1.0, interval: float = 0.25) -> None:
        self._stream = stream or sys.stderr
        self._enabled = self._stream.isatty()
        self._delay = delay
        self._interval = interval
        self._started = time.monotonic()
        self._stage = ""
        self._index = 0
        self._drawn = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, stage: str) -> None:
        """Enter a stage (one of STAGES)."""
        self._stage = stage
        self._index = STAGES.index(stage) if stage in STAGES else self._index
        if self._enabled and self._thread is None:
            self._thread = threading.Thread(target=self._tick, daemon=True)
            self._thread.start()

    def _tick(self) -> None:
        while not self._stop.wait(self._interval):
            if time.monotonic() - self._started >= self._delay:
                self._draw()

    def _draw(self) -> None:
        done = int(_WIDTH * self._index / len(STAGES))
        bar = "#" * done + "-" * (_WIDTH - done)
        elapsed = time.monotonic() - self._started
        line = f"\r[{bar}] {self._index + 1}/{len(STAGES)} {self._stage:<9} {elapsed:6.1f}s"
        self._stream.write(line)
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._drawn:
            self._stream.write("\r" + " " * (_WIDTH + 40) + "\r")
            self._stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
