"""Rewrite the golden snapshots of every fixture spec (run through `make snapshots`)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from snapshots import fixture_specs, snapshot_dir, snapshot_files  # noqa: E402

from codegen.output.write import write_tree  # noqa: E402

if __name__ == "__main__":
    for spec in fixture_specs():
        done = write_tree(snapshot_dir(spec), snapshot_files(spec))
        print(f"{spec.name}: {done.written} written, {len(done.removed)} removed")
