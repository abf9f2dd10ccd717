"""Remember generated models by what they are made from, so unchanged schemas skip the model generator.

datamodel-code-generator is most of a large spec's generation time. Its output depends only on the
model plan (prepared schemas, class names, narrowed fields, header, package), its version and our
model templates and settings, so those are the key: any change there generates again. Entries live
next to the validation cache (`CODEGEN_CACHE_DIR`, default ~/.cache/codegen); the newest few are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from importlib.metadata import version
from pathlib import Path

from ..diagnostics import Diagnostic
from .dcg import TEMPLATES, generate_models
from .plan import EmittedModels, ModelPlan

_KEEP = 16
_SOURCES = ("dcg.py", "plan.py", "cache.py")


def _cache_dir() -> Path:
    root = os.environ.get("CODEGEN_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "codegen")
    return Path(root) / "models"


def _key(plan: ModelPlan) -> str:
    digest = hashlib.sha256()
    digest.update(version("datamodel-code-generator").encode())
    digest.update(plan.fingerprint().encode())
    here = Path(__file__).resolve().parent
    templates = sorted(p for p in TEMPLATES.rglob("*") if p.is_file())
    for source in [*(here / name for name in _SOURCES), *templates]:
        digest.update(str(source.relative_to(here.parents[1])).encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def cached_models(plan: ModelPlan) -> EmittedModels:
    """generate_models(plan), or the same module and warnings from an earlier run with identical inputs."""
    entry = _cache_dir() / (_key(plan) + ".json")
    try:
        return _load(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    emitted = generate_models(plan)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(_dump(emitted))
        os.replace(tmp, entry)
        for old in sorted(entry.parent.glob("*.json"), key=lambda p: p.stat().st_mtime)[:-_KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only home only costs time
    return emitted


def _dump(emitted: EmittedModels) -> str:
    warnings = [[w.file, w.line, w.pointer, w.message, w.severity] for w in emitted.warnings]
    return json.dumps({"code": emitted.code, "warnings": warnings})


def _load(text: str) -> EmittedModels:
    data = json.loads(text)
    warnings = tuple(Diagnostic(*w) for w in data["warnings"])
    return EmittedModels(str(data["code"]), warnings)
