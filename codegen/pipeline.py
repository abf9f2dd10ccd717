"""load -> validate -> prepare -> lower -> render -> format: a package as files, all in memory."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .beside import Beside
from .diagnostics import Diagnostic, Processing, SpecError, display_path, processing
from .forked import Forked
from .models.plan import SCHEMAS_POINTER, EmittedModels, ModelPlan, no_schemas_module, plan_models
from .paths import ROOT
from .prepare import Prepared, prepare
from .spec.load import load_spec
from .spec.validate import validate_openapi

if TYPE_CHECKING:
    from .ir.nodes import Package

# Curated specs and where their packages go (generated/<name>).
CURATED = {"reloop": ROOT / "specs" / "reloop.yaml", "reply": ROOT / "specs" / "reply.yaml"}

# Model generators: "auto" takes the one the spec's `x-sdk: models` names, else our own emitter,
# which is as correct and several times faster at every size (docs/decisions.md).
MODEL_GENERATORS = ("auto", "datamodel-code-generator", "builtin")
# From this many schemas on, the builtin emitter's models are a package of modules that load on
# first use (codegen/models/builtin/split.py): one module would make every call pay for them all.
SPLIT_FROM_SCHEMAS = 500


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
    """The package's files, each checked to compile; SpecError for a refused spec and for any
    internal failure, which then names the stage and the JSON pointer being processed."""
    current = ["load"]

    def stage(name: str) -> None:
        current[0] = name
        if progress is not None:
            progress(name)  # told each stage as it starts (codegen/progress.py)

    Processing.file, Processing.pointer = display_path(spec_path), ""
    # A large spec is millions of objects, none of them garbage before the run ends: each full
    # collection the collector would start walks them all (about 0.4 s a run on GitHub's spec).
    # One collection where the loaded document is let go keeps the memory bounded.
    collecting = gc.isenabled()
    gc.disable()
    try:
        generated = _generate(spec_path, package_name, stage, models, record)
    except SpecError:
        raise
    except RecursionError:
        raise SpecError([_internal(current[0], "the document nests too deeply")]) from None
    except Exception as exc:  # noqa: BLE001 - one line for the user, never a traceback
        raise SpecError([_internal(current[0], f"{type(exc).__name__}: {exc}")]) from None
    finally:
        if collecting:
            gc.enable()
    return generated


def _internal(stage: str, what: str) -> Diagnostic:
    message = f"internal error while {_DOING.get(stage, stage)}: {what}"
    return Diagnostic(Processing.file, None, Processing.pointer, " ".join(message.split())[:500])


_DOING = {
    "load": "loading",
    "validate": "validating",
    "prepare": "preparing",
    "lower": "lowering",
    "render": "rendering",
    "models": "generating models",
    "format": "formatting",
}


def _generate(
    spec_path: Path, package_name: str | None, stage: Callable[[str], None], models: str, record: Path | None
) -> Generated:
    # Started before the spec is loaded, while the process is small and has one thread (forked.py).
    copy = Forked.start(_models_apart(spec_path, package_name, models)) if _large(spec_path) else None
    try:
        return _stages(spec_path, package_name, stage, models, record, copy)
    finally:
        if copy is not None:
            copy.cancel()


def _stages(
    spec_path: Path,
    package_name: str | None,
    stage: Callable[[str], None],
    models: str,
    record: Path | None,
    copy: Forked[ModelFiles] | None,
) -> Generated:
    # Only this process lowers and renders: imported after the copy is forked, which then starts
    # sooner (pydantic and jinja2 are most of the time imports take).
    from .lower import lower
    from .release.record import record_path
    from .render import header_text, lint_clean, render_package

    stage("load")
    spec = load_spec(spec_path)
    stage("validate")
    problems = validate_openapi(spec)
    if any(p.severity == "error" for p in problems):
        raise SpecError([p for p in problems if p.severity == "error"])
    stage("prepare")
    prepared = prepare(spec)
    if prepared.diagnostics:
        raise SpecError(prepared.diagnostics)
    stage("lower")
    package = _with_release(lower(spec, prepared, package_name=package_name), record or record_path(spec_path))
    lazy = splits_models(prepared.document, models)
    if copy is not None:
        copy.send((package.package, header_text(package), _models_used(package) if lazy else None))
    early = [*problems, *prepared.warnings]
    package = replace(package, warnings=(*(str(p) for p in early), *package.warnings))
    stage("render")
    files = render_package(package, lazy_models=lazy)
    spec_file = spec.source.file
    del spec  # the document as loaded is not needed any more; the model generator needs the memory
    # The document goes with its last reference (no cycle holds it); the collection frees what
    # cycles the stages left for the model generator. Where the copy writes the models, this
    # process is the run's longest path, and its memory stays as it is either way.
    if copy is None:
        gc.collect()
    beside = Beside(package.package, models=copy is None)
    try:
        beside.add(files, sorted_already=lint_clean(files, package.package))
        stage("models")
        apart = copy.result() if copy is not None else None
        if apart is None:
            warnings = _model_stage(spec_file, prepared, package, beside, models, lazy)
        else:
            beside.add({}, last=True)
            warnings = apart.warnings
        package = replace(package, warnings=(*package.warnings, *warnings))
        stage("format")
        return Generated(package, beside.results() | (apart.files if apart is not None else {}))
    finally:
        beside.close()


@dataclass(frozen=True)
class ModelFiles:
    """The models package or module, formatted and checked, and the model generator's warnings."""

    files: dict[str, str]
    warnings: tuple[str, ...]


# From this size of spec file on, a forked copy of the process writes the models while this one
# writes everything else: on GitHub's 13 MB spec the models are a quarter of the CPU a run takes,
# and the copy's loading, validating and preparing the spec again run on a core otherwise idle.
MODELS_APART_FROM = 2 << 20  # bytes; below, the copy saved nothing measurable (squareup.com, 1.1 MB)


def _large(spec_path: Path) -> bool:
    try:
        return spec_path.stat().st_size >= MODELS_APART_FROM
    except OSError:
        return False


def _models_apart(
    spec_path: Path, package_name: str | None, models: str
) -> Callable[[Callable[[], Any]], ModelFiles | None]:
    """The copy's work: the builtin emitter's classes while this process lowers the spec, then,
    once sent the package's name, header and the models its resource modules import, the
    modules, formatted and checked. Any other generator, or a schema the emitter fails on, is
    left to this process (None)."""

    def work(receive: Callable[[], Any]) -> ModelFiles | None:
        from .models.builtin import build_classes, write_models

        spec = load_spec(spec_path)
        # Repaired as this process repairs it (a default that does not fit its type goes); what
        # validation refuses, this process reports.
        if any(p.severity == "error" for p in validate_openapi(spec)):
            return None
        # Made of the loaded document, which nothing here reads after: the other process reports.
        prepared = prepare(spec, in_place=True)
        if prepared.diagnostics or model_generator(models, prepared.document) != "builtin":
            return None
        plan = plan_models(prepared.document, package="", header="", spec_file=spec.source.file)
        del spec
        try:
            classes = build_classes(plan) if plan.schemas else {}
        except SpecError:
            return None
        package, header, used = receive()
        plan = replace(plan, package=package, header=header, split_keep=used)
        beside = Beside(package, large=plan.split_keep is not None)
        try:
            processing("/components/schemas")
            emitted = write_models(plan, classes, beside.check_early) if plan.schemas else no_schemas_module(plan)
            warnings = _hand_over(emitted, beside)
            return ModelFiles(beside.results(), warnings)
        finally:
            beside.close()

    return work


def _hand_over(emitted: EmittedModels, beside: Beside) -> tuple[str, ...]:
    """The models into `beside`'s last batch; their warnings. The builtin emitter's split modules
    carry isort's imports (codegen/isort.py)."""
    files = {beside.models_dir + rel: text for rel, text in (emitted.files or {"models.py": emitted.code}).items()}
    beside.add(files, last=True, sorted_already=files if emitted.files else ())
    return tuple(str(w) for w in emitted.warnings)


def _model_stage(
    spec_file: str, prepared: Prepared, package: Package, beside: Beside, models: str, lazy: bool
) -> tuple[str, ...]:
    """Writes the models into `beside`'s last batch; their warnings."""
    from .render import header_text

    processing("/components/schemas")
    plan = plan_models(prepared.document, package=package.package, header=header_text(package), spec_file=spec_file)
    generator = model_generator(models, prepared.document)
    if lazy:  # the builtin emitter's models, split
        plan = replace(plan, split_keep=_models_used(package))
    emitted, generator = _emit_models(plan, generator, forced=models != "auto", half_done=beside.check_early)
    return _hand_over(emitted, beside)


def _emit_models(
    plan: ModelPlan, generator: str, *, forced: bool, half_done: Callable[[dict[str, str]], None]
) -> tuple[EmittedModels, str]:
    """The models and the generator that wrote them. Where the builtin emitter was not asked for
    by name and fails on a schema, datamodel-code-generator writes them: a slower run, but a client."""
    # Each generator's imports only when it runs: datamodel-code-generator's cost a run 20 ms.
    if generator != "builtin":
        from .models.cache import cached_models

        return cached_models(plan), generator
    from .models.builtin import emit_models

    try:
        return emit_models(plan, half_done), generator
    except SpecError as failed:
        if forced:
            raise
        from .models.cache import cached_models

        why = "; ".join(d.message for d in failed.diagnostics)
        emitted = cached_models(plan)
    fallback = Diagnostic(
        plan.spec_file, None, SCHEMAS_POINTER, f"{why}; datamodel-code-generator wrote the models", "warning"
    )
    return EmittedModels(emitted.code, (fallback, *emitted.warnings)), "datamodel-code-generator"


def _with_release(package: Package, path: Path) -> Package:
    """The version and changelog of the package's release record, when it has one."""
    from .release.record import load_record

    try:
        found = load_record(path)
    except (ValueError, KeyError, TypeError) as exc:
        raise SpecError([Diagnostic(display_path(path), None, "", f"unreadable release record: {exc}")]) from None
    if found is None:
        return package
    return replace(package, version=found.version, releases=tuple(r.note() for r in found.releases))


def model_generator(choice: str, document: dict[str, Any]) -> str:
    """The forced generator, else the one x-sdk declares (lowering has validated it), else builtin."""
    if choice != "auto":
        return choice
    sdk = document.get("x-sdk")
    declared = sdk.get("models") if isinstance(sdk, dict) else None
    return declared if isinstance(declared, str) else "builtin"


def splits_models(document: dict[str, Any], models: str) -> bool:
    """Whether the models are written as a package of modules, each loaded on first use (the
    builtin emitter's, from SPLIT_FROM_SCHEMAS schemas on); the resource modules then load the
    models of a call when it is first made, not when they are imported."""
    schemas = (document.get("components") or {}).get("schemas") or {}
    return model_generator(models, document) == "builtin" and len(schemas) >= SPLIT_FROM_SCHEMAS


def _models_used(package: Package) -> dict[str, frozenset[str]]:
    """Model classes other modules load, each with what loads it: the splitter keeps each in
    reach of its importers (models/builtin/split.py). A split package's resource modules import
    the models for type checkers only: a method that parses a response into models loads them."""
    from .render.views import job_model, parsed_into

    importers: dict[str, set[str]] = {}
    for resource in package.resources:
        for method, names in parsed_into(resource).items():
            for name in names:
                importers.setdefault(name, set()).add(f"resources.{method}")
    # _constants.py loads the job and webhook event models on their own, apart from any resource.
    webhook = package.runtime.webhook
    runtime = {*job_model(package).names("model"), *(webhook.event_models if webhook else ())}
    for name in runtime:
        importers.setdefault(name, set()).add("_constants")
    return {name: frozenset(modules) for name, modules in importers.items()}
