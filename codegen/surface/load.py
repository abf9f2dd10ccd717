"""A surface from what a caller has at hand: a spec, a release record, or a saved surface."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .extract import extract_surface


def load_surface(path: Path, package_name: str | None = None) -> dict[str, Any]:
    """The surface of a spec (generated in memory), of a release record (its last release), or a
    surface saved as JSON."""
    if path.suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        surface = data.get("surface", data) if isinstance(data, dict) else None  # a record holds one
        if isinstance(surface, dict) and "methods" in surface and "format" in surface:
            return surface
    from ..pipeline import generate_package  # the pipeline reads release records, which import this package

    return extract_surface(generate_package(path, package_name=package_name))
