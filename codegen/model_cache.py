"""Remember generated models by what they are made from, so unchanged schemas skip the model generator.

datamodel-code-generator is nearly all of a large spec's generation time (37 of 43 s for GitHub's
API). Its output depends only on the prepared schemas, the classes the resources expect, the
header, its version and our model templates and settings, so those are the key: any change there
generates again. Entries live next to the validation cache (`CODEGEN_CACHE_DIR`, default
~/.cache/codegen); the newest few are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

from .models import generate_models
from .render import TEMPLATES

_KEEP = 16
_SOURCES = ("models.py", "model_typing.py", "model_cache.py")


def _cache_dir() -> Path:
    root = os.environ.get("CODEGEN_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "codegen")
    return Path(root) / "models"


def _key(document: dict[str, Any], header: str, expected: set[str]) -> str:
    digest = hashlib.sha256()
    schemas = (document.get("components") or {}).get("schemas") or {}
    for part in (document.get("openapi"), header, sorted(expected), version("datamodel-code-generator")):
        digest.update(json.dumps(part, default=str).encode())
    digest.update(json.dumps(schemas, sort_keys=True, default=str).encode())
    here = Path(__file__).resolve().parent
    for source in [*(here / name for name in _SOURCES), *sorted((TEMPLATES / "models").glob("*"))]:
        digest.update(source.read_bytes())
    return digest.hexdigest()


def cached_models(document: dict[str, Any], header: str, expected: set[str], spec_file: str) -> str:
    """generate_models(...), or the same text from an earlier run with identical inputs."""
    entry = _cache_dir() / (_key(document, header, expected) + ".py")
    try:
        return entry.read_text(encoding="utf-8")
    except OSError:
        pass
    code = generate_models(document, header, expected, spec_file)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(code)
        os.replace(tmp, entry)
        for old in sorted(entry.parent.glob("*.py"), key=lambda p: p.stat().st_mtime)[:-_KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home only costs time
    return code
