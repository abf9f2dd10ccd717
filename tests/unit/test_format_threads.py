"""ruff's binary is found in the thread that starts the formatting, never in the formatting threads:
its finder reads sysconfig, whose first use fills a global table without a lock, and two threads
doing that at once could read it half filled (a run failed once in the corpus that way)."""

from __future__ import annotations

import functools
import threading

import pytest

from codegen.output import format as formatting


def test_ruff_is_found_once_in_the_callers_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    found_in: list[threading.Thread] = []
    real = formatting._ruff.__wrapped__

    def finder() -> list[str]:
        found_in.append(threading.current_thread())
        return real()

    monkeypatch.setattr(formatting, "_ruff", functools.cache(finder))
    pending = [formatting.start_format({"a.py": "x=1\n"}), formatting.start_format({"b/c.py": "y=[1,2]\n"})]
    assert [p.result() for p in pending] == [{"a.py": "x = 1\n"}, {"b/c.py": "y = [1, 2]\n"}]
    assert found_in == [threading.current_thread()]
