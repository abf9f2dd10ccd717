"""A call run in a forked copy of this process: it can be sent one value once started, and its
result comes back pickled through a pipe.

The run of a large spec is one core's work until its resource modules are written, on machines
that have two or more: a copy forked before the spec is loaded (while the process is small, so
copying it costs a few milliseconds and nothing large is shared) can do work of its own on the
idle core. Only where forking is safe: on Linux, from a process with a single thread.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from .diagnostics import SpecError

T = TypeVar("T")
_STOP_WAIT = 5.0  # seconds a cancelled copy has to clean up (its ruff and check processes)


class Forked(Generic[T]):
    def __init__(self, pid: int, answers: int, inbox: int) -> None:
        self._pid: int | None = pid
        self._answers = answers
        self._inbox: int | None = inbox

    @classmethod
    def start(cls, work: Callable[[Callable[[], Any]], T | None]) -> Forked[T] | None:
        """work(receive) in a copy of this process, where receive() waits for what send() sends;
        None where the process cannot be forked safely or usefully. work() returning None, or
        failing other than with a SpecError, leaves the work to the caller."""
        if not can_fork():
            return None
        answers, answer_end = os.pipe()
        inbox_end, inbox = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            for fd in (answers, answer_end, inbox_end, inbox):
                os.close(fd)
            return None
        if pid == 0:  # pragma: no cover - the copy; its work is tested through the parent
            os.close(answers)
            os.close(inbox)
            _run_copy(work, answer_end, inbox_end)
        os.close(answer_end)
        os.close(inbox_end)
        return cls(pid, answers, inbox)

    def send(self, value: object) -> None:
        """Hands the copy `value` (once), from a thread: the copy reads it only when it needs it."""
        inbox, self._inbox = self._inbox, None
        if inbox is None:
            return
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        threading.Thread(target=_write_and_close, args=(inbox, data), daemon=True).start()

    def result(self) -> T | None:
        """What work() returned; None if it left the work to the caller, died, or answered
        something unreadable. A SpecError it raised is raised here."""
        if self._pid is None:
            return None
        try:
            with open(self._answers, "rb", closefd=True) as stream:
                data = stream.read()
        except OSError:
            data = b""
        os.waitpid(self._pid, 0)
        self._pid = None
        self._close_inbox()
        try:
            tag, value = pickle.loads(data) if data else ("died", None)
        except Exception:  # noqa: BLE001 - a truncated answer: the caller does the work
            return None
        if tag == "raised" and isinstance(value, SpecError):
            raise value
        return value if tag == "returned" else None

    def cancel(self) -> None:
        """Stops the copy (it removes its scratch files on the way out) unless its result was taken."""
        self._close_inbox()
        if self._pid is None:
            return
        pid, self._pid = self._pid, None
        os.close(self._answers)
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + _STOP_WAIT
        while os.waitpid(pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return
            time.sleep(0.005)

    def _close_inbox(self) -> None:
        inbox, self._inbox = self._inbox, None
        if inbox is not None:
            os.close(inbox)


def can_fork() -> bool:
    """Linux (elsewhere a forked copy of a process may hang), two cores or more, one thread: a
    thread's locks would be copied held, with no thread left in the copy to release them."""
    return sys.platform == "linux" and (os.cpu_count() or 1) >= 2 and threading.active_count() == 1


def _write_and_close(fd: int, data: bytes) -> None:
    try:
        with open(fd, "wb", closefd=True) as stream:
            stream.write(data)
    except OSError:
        pass  # the copy is gone; its result says so


def _run_copy(work: Callable[[Callable[[], Any]], Any], answer_end: int, inbox_end: int) -> None:  # pragma: no cover
    code = 1

    def receive() -> Any:
        with open(inbox_end, "rb", closefd=True) as stream:
            return pickle.loads(stream.read())

    try:
        # A cancelled copy unwinds (its finally blocks stop its own processes) and exits.
        signal.signal(signal.SIGTERM, _exit_now)
        try:
            answer = pickle.dumps(("returned", work(receive)), protocol=pickle.HIGHEST_PROTOCOL)
        except SpecError as error:
            answer = pickle.dumps(("raised", error), protocol=pickle.HIGHEST_PROTOCOL)
        with open(answer_end, "wb", closefd=True) as stream:
            stream.write(answer)
        code = 0
    except BaseException:  # noqa: BLE001 - the parent does the work itself
        pass
    finally:
        os._exit(code)


def _exit_now(signum: int, frame: object) -> None:  # pragma: no cover - runs in the copy
    raise SystemExit(1)
