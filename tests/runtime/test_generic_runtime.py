"""The runtime is generic: what differs per API is data from the spec's x-sdk, never a name in code."""

import re
from pathlib import Path

RUNTIME = Path(__file__).resolve().parents[2] / "templates" / "runtime"
# The curated APIs by name, their packages, and their own header prefixes. ("reply" alone is a
# Redis reply.)
API_NAMES = re.compile(r"reloop|reply\.io|replyio|reply's|x-reloop", re.IGNORECASE)
MAX_LINES = 400


def test_no_runtime_module_names_an_api() -> None:
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(RUNTIME.glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if API_NAMES.search(line)
    ]
    assert found == []


def test_runtime_modules_are_small() -> None:
    sizes = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in RUNTIME.glob("*.py")}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
