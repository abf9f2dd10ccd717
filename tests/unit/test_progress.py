"""The progress bar: drawn on a terminal once a run is slow, never into pipes or logs."""

from __future__ import annotations

import io
import time

from codegen.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_draws_stages_on_a_terminal_and_clears_the_line() -> None:
    stream = _Terminal()
    with Progress(stream, delay=0.0, interval=0.01) as progress:
        progress("load")
        time.sleep(0.05)
        progress("models")
        time.sleep(0.05)
    text = stream.getvalue()
    assert "1/7 load" in text and "6/7 models" in text
    assert text.endswith("\r")


def test_silent_when_not_a_terminal() -> None:
    stream = io.StringIO()
    with Progress(stream, delay=0.0, interval=0.01) as progress:
        progress("load")
        time.sleep(0.03)
    assert stream.getvalue() == ""
