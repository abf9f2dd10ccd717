"""Every Python code block of the top README and of each generated package README runs exactly as
written, against Prism serving the curated specs, with only environment variables set (API keys
and base URLs): no example can rot."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PACKAGES_ROOT

from ._prism import ROOT, PrismServer

pytestmark = pytest.mark.prism

READMES = [ROOT / "README.md", ROOT / "generated" / "reloop" / "README.md", ROOT / "generated" / "reply" / "README.md"]
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.M | re.S)


def _blocks() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for readme in READMES:
        for index, match in enumerate(_BLOCK.finditer(readme.read_text(encoding="utf-8"))):
            found.append((f"{readme.relative_to(ROOT)}#{index + 1}", match.group(1)))
    return found


def test_every_readme_has_python_examples() -> None:
    names = {name.split("#")[0] for name, _ in _blocks()}
    assert names == {str(r.relative_to(ROOT)) for r in READMES}


@pytest.mark.parametrize(("where", "code"), _blocks(), ids=[name for name, _ in _blocks()])
def test_readme_block_runs_as_written(
    where: str, code: str, prism_servers: dict[str, PrismServer], tmp_path: Path
) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": f"{PACKAGES_ROOT / 'reloop' / 'src'}:{PACKAGES_ROOT / 'reply' / 'src'}",
        "RELOOP_API_KEY": "rl_test_readme_key",
        "RELOOP_BASE_URL": prism_servers["reloop"].base_url,
        "REPLY_API_KEY": "reply-readme-key",
        "REPLY_BASE_URL": prism_servers["reply"].base_url,
    }
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{where} failed:\n{code}\n--- stderr ---\n{done.stderr[-2000:]}"
