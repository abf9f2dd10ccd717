"""load -> validate -> prepare -> lower -> render -> format: a package as files, all in memory."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .builtin_models import emit_models
from .diagnostics import Diagnostic, SpecError, display_path
from .ir import Package
from .lower import lower
from .model_cache import cached_models
from .postprocess import format_tree
from .prepare import prepare
from .release.record import load_record, record_path
from .render import header_text, render_package
from .spec.load import load_spec
from .spec.validate import validate_openapi

# Model generators: datamodel-code-generator, or our own emitter, which "auto" picks from this many
# prepared schemas on, where datamodel-code-generator needs a minute (docs/decisions.md).
MODEL_GENERATORS = ("auto", "datamodel-code-generator", "builtin")
BUILTIN_FROM_SCHEMAS = 500


@dataclass(frozen=True)
class Generated:
    package: Package
    files: dict[str, str]


def generate_package(
    spec_path: Path,
    *,
    package_name: str | None = None,
    progress: Callable[[str], None] | None = None,
    models: str = "auto",
    record: Path | None = None,
) -> Generated:
    stage = progress or (lambda name: None)  # told each stage as it starts (codegen/progress.py)
    stage("load")
    spec = load_spec(spec_path)
    stage("validate")
    problems = validate_openapi(spec)
    if problems:
        raise SpecError(problems)
    stage("prepare")
    prepared = prepare(spec)
    if prepared.diagnostics:
        raise SpecError(prepared.diagnostics)
    stage("lower")
    package = _with_release(lower(spec, prepared, package_name=package_name), record or record_path(spec_path))
    stage("render")
    files = render_package(package)
    expected = _models_used(package)
    stage("models")
    spec_file = spec.source.file
    del spec  # the document as loaded is not needed any more; the model generator needs the memory
    emit = cached_models if model_generator(models, prepared.document) != "builtin" else emit_models
    files[f"src/{package.package}/models.py"] = emit(prepared.document, header_text(package), expected, spec_file)
    stage("format")
    return Generated(package, format_tree(files))


def _with_release(package: Package, path: Path) -> Package:
    """The version and changelog of the package's release record, when it has one."""
    try:
        found = load_record(path)
    except (ValueError, KeyError, TypeError) as exc:
        raise SpecError([Diagnostic(display_path(path), None, "", f"unreadable release record: {exc}")]) from None
    if found is None:
        return package
    return replace(package, version=found.version, releases=tuple(r.note() for r in found.releases))


def model_generator(choice: str, document: dict[str, Any]) -> str:
    if choice != "auto":
        return choice
    schemas = (document.get("components") or {}).get("schemas") or {}
    return "builtin" if len(schemas) >= BUILTIN_FROM_SCHEMAS else "datamodel-code-generator"


def _models_used(package: Package) -> set[str]:
    from .views import used_names

    names: set[str] = set()
    for resource in package.resources:
        names |= used_names(package, resource)
    return names
