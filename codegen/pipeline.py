"""load -> validate -> prepare -> lower -> render -> format: a package as files, all in memory."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, Processing, SpecError, display_path, processing
from .ir.nodes import Package
from .lower import lower
from .models.plan import SCHEMAS_POINTER, EmittedModels, ModelPlan, plan_models
from .output import compiled
from .output.format import PendingFormat, start_format
from .prepare import Prepared, prepare
from .release.record import load_record, record_path
from .render import RUNTIME, header_text, render_package
from .spec.load import load_spec
from .spec.validate import validate_openapi

ROOT = Path(__file__).resolve().parent.parent
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


def check_compiles(files: dict[str, str], package: str) -> None:
    """SpecError unless every module compiles and imports only what the package may
    (output/compiled.py)."""
    _raise_problems(compiled.problems(_modules(files), package))


def start_compile_check(
    files: dict[str, str], package: str, processes: int = 1, started: compiled.Workers | None = None
) -> compiled.PendingCheck:
    return compiled.PendingCheck(_modules(files), package, processes, started)


def _raise_problems(found: list[compiled.Problem]) -> None:
    if found:
        raise SpecError(
            [
                Diagnostic(rel, line, Processing.pointer, f"internal error: generated {rel} {what}")
                for rel, line, what in found
            ]
        )


def _modules(files: dict[str, str]) -> dict[str, str]:
    return {
        rel: text for rel, text in files.items() if rel.endswith((".py", ".pyi")) and not _verbatim_runtime(rel, text)
    }


@cache
def _runtime_sources() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in RUNTIME.glob("*.py")}


def _verbatim_runtime(rel: str, text: str) -> bool:
    """A runtime module copied as it is under its header comment: the tests compile and import
    the runtime once, so a run need not compile it for every package."""
    source = _runtime_sources().get(rel.rsplit("/", 1)[-1])
    if source is None or not text.endswith(source):
        return False
    head = text[: len(text) - len(source)]
    return all(not line.strip() or line.lstrip().startswith("#") for line in head.splitlines())


def _generate(
    spec_path: Path, package_name: str | None, stage: Callable[[str], None], models: str, record: Path | None
) -> Generated:
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
    early = [*problems, *prepared.warnings]
    package = replace(package, warnings=(*(str(p) for p in early), *package.warnings))
    stage("render")
    files = render_package(package)
    spec_file = spec.source.file
    del spec  # the document as loaded is not needed any more; the model generator needs the memory
    gc.collect()
    beside = _Beside(package.package)
    try:
        return _finish(spec_file, prepared, package, files, beside, stage, models)
    finally:
        beside.close()


class _Beside:
    """Checking and formatting, each in a process of its own, running beside the Python stages:
    the resource modules while the models are written, the models while the run winds up."""

    # A smaller batch waits for the next one: starting ruff twice would cost a small spec more
    # than the overlap saves.
    _ALONE_FROM = 1 << 20  # characters

    def __init__(self, package: str) -> None:
        self._package = package
        self._checks: list[tuple[compiled.PendingCheck, str]] = []
        self._formats: list[PendingFormat] = []
        self._held: dict[str, str] = {}
        self._sorted: set[str] = set()
        self._workers: compiled.Workers | None = None
        self.models_dir = f"src/{package}/"
        self._checked: set[str] = set()  # modules whose check has started

    def add(self, files: dict[str, str], *, last: bool = False, sorted_already: bool = False) -> None:
        """`sorted_already`: the files' imports are as isort writes them, so ruff only formats them."""
        self._held |= files
        if sorted_already:
            self._sorted |= set(files)
        if last or sum(len(text) for text in self._held.values()) >= self._ALONE_FROM:
            batch, self._held = self._held, {}
            # The last batch has the machine to itself (the run waits for it): its check takes a
            # process a core, beside ruff's threads. An earlier batch leaves the others to the run.
            processes = (os.cpu_count() or 1) if last else 1
            unchecked = {rel: text for rel, text in batch.items() if rel not in self._checked}
            check = start_compile_check(unchecked, self._package, processes, started=self._workers)
            self._checks.append((check, Processing.pointer))
            if not last and self._workers is None:  # a large package: the last batch's check processes start now
                self._workers = compiled.Workers(os.cpu_count() or 1)
            sorted_files, self._sorted = frozenset(self._sorted), set()
            self._formats.append(start_format(batch, self._package, sorted_already=sorted_files))

    def check_early(self, models: dict[str, str]) -> None:
        """Modules of the models package, checked while the emitter writes the rest: the second
        core is free by then. Only in a large package, which has its check processes started."""
        if self._workers is None:
            return
        batch = {self.models_dir + rel: text for rel, text in models.items()}
        self._checks.append((start_compile_check(batch, self._package, started=self._workers), Processing.pointer))
        self._checked |= set(batch)
        self._workers.top_up(os.cpu_count() or 1)

    def results(self) -> dict[str, str]:
        """The files formatted; SpecError if one does not compile, before any is written."""
        for check, pointer in self._checks:
            found = check.result()
            if found:
                processing(pointer)
                _raise_problems(found)
        formatted: dict[str, str] = {}
        for pending in self._formats:
            formatted |= pending.result()
        return formatted

    def close(self) -> None:
        if self._workers is not None:
            self._workers.close()
        for check, _ in self._checks:
            check.cancel()
        for pending in self._formats:
            pending.wait()


def _finish(
    spec_file: str,
    prepared: Prepared,
    package: Package,
    files: dict[str, str],
    beside: _Beside,
    stage: Callable[[str], None],
    models: str,
) -> Generated:
    beside.add(files)
    stage("models")
    processing("/components/schemas")
    plan = plan_models(prepared.document, package=package.package, header=header_text(package), spec_file=spec_file)
    generator = model_generator(models, prepared.document)
    if generator == "builtin" and len(plan.schemas) >= SPLIT_FROM_SCHEMAS:
        plan = replace(plan, split_keep=frozenset(_models_used(package)))
    emitted, generator = _emit_models(plan, generator, forced=models != "auto", half_done=beside.check_early)
    package = replace(package, warnings=(*package.warnings, *(str(w) for w in emitted.warnings)))
    # The builtin emitter's split modules carry isort's imports (codegen/isort.py).
    beside.add(
        {beside.models_dir + rel: text for rel, text in (emitted.files or {"models.py": emitted.code}).items()},
        last=True,
        sorted_already=bool(emitted.files),
    )
    stage("format")
    return Generated(package, beside.results())


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


def _models_used(package: Package) -> set[str]:
    """Model classes the resource modules import: the splitter keeps each in reach of its module."""
    from .render.views import used_names

    names: set[str] = set()
    for resource in package.resources:
        names |= used_names(package, resource)
    return names
