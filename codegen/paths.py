"""Where the generator's own files are: the project root, the templates and the copied runtime.

A module of its own, importing nothing heavy: the process that only writes the models needs the
runtime's place too, and importing the renderer for it would load jinja2 there for nothing.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
RUNTIME = TEMPLATES / "runtime"
