"""load -> validate -> prepare -> lower -> render -> format: a package as files, all in memory."""

from __future__ import annotations

import dis
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from types import CodeType
from typing import Any

from .diagnostics import Diagnostic, Processing, SpecError, display_path, processing
from .ir.nodes import Package
from .lower import lower
from .models.plan import SCHEMAS_POINTER, EmittedModels, ModelPlan, plan_models
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
    try:
        generated = _generate(spec_path, package_name, stage, models, record)
    except SpecError:
        raise
    except RecursionError:
        raise SpecError([_internal(current[0], "the document nests too deeply")]) from None
    except Exception as exc:  # noqa: BLE001 - one line for the user, never a traceback
        raise SpecError([_internal(current[0], f"{type(exc).__name__}: {exc}")]) from None
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
    """Every module must compile (compile(), unlike ast.parse, also rejects duplicate arguments)
    and import at module level only the standard library and the package's dependencies."""
    problems = []
    allowed = _ALLOWED_IMPORTS | {package}
    for rel, text in files.items():
        if not rel.endswith((".py", ".pyi")) or _verbatim_runtime(rel, text):
            continue
        try:
            # Straight from the text: building the syntax tree in Python objects would cost as much
            # again (seconds on a large spec), and the imports can be read from the bytecode.
            code = compile(text, rel, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            message = f"internal error: generated {rel} does not compile: {getattr(exc, 'msg', exc)}"
            problems.append(Diagnostic(rel, getattr(exc, "lineno", None), Processing.pointer, message))
            continue
        foreign = sorted(_absolute_imports(code) - allowed)
        if foreign:
            message = f"internal error: generated {rel} imports {', '.join(foreign)}, which the package does not need"
            problems.append(Diagnostic(rel, None, Processing.pointer, message))
    if problems:
        raise SpecError(problems)


def _absolute_imports(code: CodeType) -> set[str]:
    """Top-level packages the module's own code imports (not its functions' or classes')."""
    # An import is LOAD_CONST level, LOAD_CONST names, IMPORT_NAME module; level 0 is absolute.
    # Read from the raw instructions: a module of a large spec has thousands of them and
    # dis.get_instructions would build an object for each (a second per run on big specs).
    raw = code.co_code
    ops = raw[::2]
    found: set[str] = set()
    at = ops.find(_IMPORT_NAME)
    while at != -1:
        names = _previous(ops, at)
        level = _previous(ops, names)
        if level < 0 or ops[level] != _LOAD_CONST or ops[names] != _LOAD_CONST:
            return _absolute_imports_slowly(code)  # not the usual shape: let dis decode it
        if code.co_consts[_argument(raw, ops, level)] == 0:
            found.add(code.co_names[_argument(raw, ops, at)].split(".")[0])
        at = ops.find(_IMPORT_NAME, at + 1)
    return found


_IMPORT_NAME, _LOAD_CONST, _EXTENDED_ARG = dis.opmap["IMPORT_NAME"], dis.opmap["LOAD_CONST"], dis.opmap["EXTENDED_ARG"]


def _previous(ops: bytes, index: int) -> int:
    """The instruction before the one at index, past the EXTENDED_ARG prefixes of that one."""
    index -= 1
    while index >= 0 and ops[index] == _EXTENDED_ARG:
        index -= 1
    return index


def _argument(raw: bytes, ops: bytes, index: int) -> int:
    value, shift = raw[2 * index + 1], 8
    while index > 0 and ops[index - 1] == _EXTENDED_ARG:
        index -= 1
        value |= raw[2 * index + 1] << shift
        shift += 8
    return value


def _absolute_imports_slowly(code: CodeType) -> set[str]:
    found: set[str] = set()
    before: list[dis.Instruction] = []
    for instruction in dis.get_instructions(code):
        if instruction.opname == "IMPORT_NAME" and len(before) == 2 and before[0].opname == "LOAD_CONST":
            if before[0].argval == 0:
                found.add(str(instruction.argval).split(".")[0])
        before = [*before[-1:], instruction]
    return found


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


# What generated modules may import: the standard library and the package's dependencies
# (templates/package/pyproject.toml.j2; redis is the optional extra).
_ALLOWED_IMPORTS = frozenset(sys.stdlib_module_names) | {"httpx", "pydantic", "pydantic_core", "redis"}


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
    # ruff formats the resource modules while the models are written, and then the models while
    # they are compiled: the two run side by side, each in a process of its own.
    spec_file = spec.source.file
    del spec  # the document as loaded is not needed any more; the model generator needs the memory
    pending = [start_format(files, package.package)]
    try:
        return _finish(spec_file, prepared, package, files, pending, stage, models)
    finally:
        for waiting in pending:
            waiting.wait()


def _finish(
    spec_file: str,
    prepared: Prepared,
    package: Package,
    files: dict[str, str],
    pending: list[PendingFormat],
    stage: Callable[[str], None],
    models: str,
) -> Generated:
    check_compiles(files, package.package)
    stage("models")
    processing("/components/schemas")
    plan = plan_models(prepared.document, package=package.package, header=header_text(package), spec_file=spec_file)
    generator = model_generator(models, prepared.document)
    if generator == "builtin" and len(plan.schemas) >= SPLIT_FROM_SCHEMAS:
        plan = replace(plan, split_keep=frozenset(_models_used(package)))
    emitted, generator = _emit_models(plan, generator, forced=models != "auto")
    package = replace(package, warnings=(*package.warnings, *(str(w) for w in emitted.warnings)))
    model_files = {
        f"src/{package.package}/{rel}": text for rel, text in (emitted.files or {"models.py": emitted.code}).items()
    }
    pending.append(start_format(model_files, package.package))
    check_compiles(model_files, package.package)
    stage("format")
    return Generated(package, pending[0].result() | pending[1].result())


def _emit_models(plan: ModelPlan, generator: str, *, forced: bool) -> tuple[EmittedModels, str]:
    """The models and the generator that wrote them. Where the builtin emitter was not asked for
    by name and fails on a schema, datamodel-code-generator writes them: a slower run, but a client."""
    # Each generator's imports only when it runs: datamodel-code-generator's cost a run 20 ms.
    if generator != "builtin":
        from .models.cache import cached_models

        return cached_models(plan), generator
    from .models.builtin import emit_models

    try:
        return emit_models(plan), generator
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
