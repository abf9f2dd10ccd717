"""Test-wide setup: the generated packages are imported from their src folders."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for src in (ROOT / "generated" / "reloop" / "src", ROOT / "generated" / "reply" / "src"):
    if str(src) not in sys.path:
        sys.path.insert(0, str(src))
