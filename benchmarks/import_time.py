"""Import-time benchmark: what each generated package adds to `import httpx, pydantic`.

Each figure is the median of several fresh interpreters (`-I`-free, same venv, the generated
src folders on sys.path). In every run the interpreter first imports httpx and pydantic (the
baseline, timed too) and then the package, so the package's figure is only what it adds.
Also shown: creating a client and touching its first resource, which loads that resource module
and the models (both lazy, so `import` alone does not pay for them). Target: each package adds
<= 100 ms to the import.

Then the large specs (Stripe's and GitHub's, see _first_call.py): import, client and one list call
against a mock transport, ours next to openapi-python-client's output; target <= 0.5 s for ours.

    .venv/bin/python benchmarks/import_time.py [--runs 15] [--no-large] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _first_call  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SRC = [str(ROOT / "generated" / "reloop" / "src"), str(ROOT / "generated" / "reply" / "src")]
PACKAGES = {"reloop": ("Reloop", "domains"), "replyio": ("Reply", "contacts")}
TARGET_MS = 100.0

# Runs in a fresh interpreter; prints milliseconds as JSON.
_PROBE = """
import json, sys, time
sys.path[:0] = {src!r}
t0 = time.perf_counter()
import httpx, pydantic
t1 = time.perf_counter()
import {package}
t2 = time.perf_counter()
client = {package}.{client}(api_key="k", http_client=httpx.Client())
getattr(client, {resource!r})
t3 = time.perf_counter()
print(json.dumps({{"base": (t1 - t0) * 1e3, "package": (t2 - t1) * 1e3, "first_use": (t3 - t2) * 1e3}}))
"""

_PYDANTIC = """
import json, time
import httpx, pydantic
t0 = time.perf_counter()
from pydantic import BaseModel
print(json.dumps({"model": (time.perf_counter() - t0) * 1e3}))
"""


def _run(code: str) -> dict[str, float]:
    # Bytecode must be cached, as pip does for an installed wheel: without it every fresh
    # interpreter would time compiling the package, not importing it.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    return {k: float(v) for k, v in json.loads(out.stdout).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-large", action="store_true", help="skip Stripe's and GitHub's specs")
    parser.add_argument("--work", type=Path, help="keep the large specs' outputs here (reused when present)")
    args = parser.parse_args()
    # One warm-up run each so bytecode caches exist: users import installed, compiled packages.
    for package, (client, resource) in PACKAGES.items():
        _run(_PROBE.format(src=SRC, package=package, client=client, resource=resource))
    print(f"median of {args.runs} fresh interpreters, milliseconds")
    print(f"{'package':10} {'httpx+pydantic':>15} {'package adds':>13} {'client + 1st resource':>22}   target")
    for package, (client, resource) in PACKAGES.items():
        runs = [
            _run(_PROBE.format(src=SRC, package=package, client=client, resource=resource)) for _ in range(args.runs)
        ]
        base, adds, first = (statistics.median(r[key] for r in runs) for key in ("base", "package", "first_use"))
        verdict = "ok" if adds <= TARGET_MS else "OVER"
        print(f"{package:10} {base:15.1f} {adds:13.1f} {first:22.1f}   <= {TARGET_MS:.0f} ms: {verdict}")
    model = statistics.median(_run(_PYDANTIC)["model"] for _ in range(max(3, args.runs // 3)))
    print(
        f"for scale: `from pydantic import BaseModel` (which `import pydantic` defers) takes {model:.1f} ms; the first"
    )
    print(
        "resource pays it too, with the package's models module (its classes; each builds its validator on first use)"
    )
    if not args.no_large:
        _first_call.report(max(3, args.runs // 3), args.work)


if __name__ == "__main__":
    main()
