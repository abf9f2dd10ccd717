"""The generated Python surface of a package, and what changed between two of them."""

from .changes import Bump, Change, Severity, bump_for
from .compare import compare
from .extract import SURFACE_FORMAT, extract_surface

__all__ = ["SURFACE_FORMAT", "Bump", "Change", "Severity", "bump_for", "compare", "extract_surface"]
