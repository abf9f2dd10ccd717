"""Differential test: the built-in model emitter must behave like datamodel-code-generator.

Both emitters get the same prepared document. Their models.py modules are imported side by side
and fed the same synthesized data (tests/golden/_samples.py): whatever the datamodel-code-generator
models accept, the built-in models must accept and give back unchanged. The curated specs and every
fixture spec are covered.
"""

from __future__ import annotations

import copy
import importlib
import re
import shutil
import subprocess
import sys
import traceback
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import Enum
from functools import cache, cached_property
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import UUID

import pydantic
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _samples import Synthesizer  # noqa: E402

from codegen.lower import lower  # noqa: E402
from codegen.models.builtin import emit_models  # noqa: E402
from codegen.models.dcg import generate_models  # noqa: E402
from codegen.models.plan import ModelEmitter, plan_models  # noqa: E402
from codegen.output.format import RUFF_CONFIG, format_tree  # noqa: E402
from codegen.prepare import prepare  # noqa: E402
from codegen.render import RUNTIME, header_text  # noqa: E402
from codegen.spec.load import load_spec  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_SPECS = ROOT / "tests" / "fixtures" / "specs"
# The _parts folder holds documents the fixture specs reference, not specs of their own.
SPECS = sorted(p for p in FIXTURE_SPECS.iterdir() if p.is_file() and p.suffix in (".yaml", ".json")) + [
    ROOT / "specs" / "reloop.yaml",
    ROOT / "specs" / "reply.yaml",
]
SIDES = ("dcg", "builtin")
MIN_ACCEPTED = 0.8  # below this the synthesizer, not the emitter, is what needs looking at
REPORT_LIMIT = 20
_DUMP = {"mode": "json", "by_alias": True, "exclude_unset": True}


@dataclass(frozen=True)
class Texts:
    document: dict[str, Any]  # the prepared document as the emitters were given it
    expected: frozenset[str]  # every class the plan names
    dcg: str
    builtin: str


EMITTERS: dict[str, ModelEmitter] = {"dcg": generate_models, "builtin": emit_models}


@cache
def _texts(spec: Path) -> Texts:
    """Both module texts for a spec; cached because datamodel-code-generator takes seconds on reply."""
    loaded = load_spec(spec)
    prepared = prepare(loaded)
    assert not prepared.diagnostics, prepared.diagnostics
    header = header_text(lower(loaded, prepared, package_name=None))
    code = {}
    for side, emit in EMITTERS.items():
        # Each emitter gets its own copy: one mutating the document must not change what the other sees.
        plan = plan_models(
            copy.deepcopy(prepared.document), package=_package(side, spec), header=header, spec_file=loaded.source.file
        )
        code[side] = emit(plan).code
    expected = frozenset(plan.classes.values())
    return Texts(copy.deepcopy(prepared.document), expected, code["dcg"], code["builtin"])


def _package(side: str, spec: Path) -> str:
    """Unique package names: the two modules of a spec, and those of other specs, must not meet."""
    stem = re.sub(r"\W", "_", spec.stem)
    return f"_differential_{side}_{stem}"


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    dump: Any = None  # model_dump(mode="json", ...) or the enum value
    shape: Any = None  # the validated Python object described with its types (_shape)
    error: str = ""


@dataclass(frozen=True)
class Comparison:
    schema: str
    variant: str
    dcg: Outcome
    builtin: Outcome

    @property
    def label(self) -> str:
        return f"{self.schema} [{self.variant}]"


@dataclass
class Built:
    spec: Path
    texts: Texts
    modules: dict[str, ModuleType] = field(default_factory=dict)
    import_errors: dict[str, str] = field(default_factory=dict)

    def module(self, side: str) -> ModuleType:
        if side in self.import_errors:
            pytest.fail(f"{side} models.py of {self.spec.name} does not import:\n{self.import_errors[side]}")
        return self.modules[side]

    @cached_property
    def comparisons(self) -> list[Comparison]:
        """Every sample validated by both modules; computed once per spec for all the tests."""
        dcg, builtin = self.module("dcg"), self.module("builtin")
        synth = Synthesizer(self.texts.document)
        found: list[Comparison] = []
        for name, schema in synth.schemas.items():
            kind = _kind(getattr(dcg, name, None))
            if kind not in ("model", "enum") or _kind(getattr(builtin, name, None)) != kind:
                continue  # test_component_classes_same_kind reports a class that differs in kind
            for variant, sample in _samples(synth, name, schema, kind):
                found.append(
                    Comparison(
                        name,
                        variant,
                        _evaluate(getattr(dcg, name), kind, sample),
                        _evaluate(getattr(builtin, name), kind, sample),
                    )
                )
        return found


@pytest.fixture(scope="module", params=SPECS, ids=lambda p: p.stem)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    spec: Path = request.param
    result = Built(spec, _texts(spec))
    root = tmp_path_factory.mktemp(f"models-{spec.stem}")
    packages = {side: _package(side, spec) for side in SIDES}
    sys.path.insert(0, str(root))
    try:
        for side, package in packages.items():
            try:
                result.modules[side] = _import_models(root, package, getattr(result.texts, side))
            except Exception:
                result.import_errors[side] = traceback.format_exc()
        yield result
    finally:
        sys.path.remove(str(root))
        for name in list(sys.modules):
            if name.split(".", 1)[0] in packages.values():
                del sys.modules[name]


def _import_models(root: Path, package: str, text: str) -> ModuleType:
    folder = root / package
    folder.mkdir()
    (folder / "__init__.py").write_text("", encoding="utf-8")
    shutil.copyfile(RUNTIME / "_models.py", folder / "_models.py")
    (folder / "models.py").write_text(text, encoding="utf-8")
    return importlib.import_module(f"{package}.models")


def test_planned_classes_defined(built: Built) -> None:
    """Resources import the classes by the names the plan gives them."""
    problems = []
    for side in SIDES:
        module = built.module(side)
        missing = sorted(n for n in built.texts.expected if not hasattr(module, n))
        if missing:
            problems.append(f"{side} lacks {len(missing)} classes the plan names: {', '.join(missing[:30])}")
    assert not problems, "\n".join(problems)


def test_component_classes_same_kind(built: Built) -> None:
    """A component that is a model (or enum) class with dcg is one with the builtin emitter too:
    users call Model.model_validate and Enum(value) on them."""
    dcg, builtin = built.module("dcg"), built.module("builtin")
    problems = []
    for name in built.texts.document.get("components", {}).get("schemas") or {}:
        want, got = _kind(getattr(dcg, name, None)), _kind(getattr(builtin, name, None))
        if want in ("model", "enum") and got != want:
            problems.append(f"{name}: dcg defines a {want} class, builtin {got}")
    assert not problems, _report("component classes of another kind", problems)


def test_builtin_accepts_and_dumps_like_dcg(built: Built) -> None:
    comparisons = built.comparisons
    accepted = [c for c in comparisons if c.dcg.accepted]
    problems = []
    for c in accepted:
        if not c.builtin.accepted:
            problems.append(f"{c.label}: dcg accepts, builtin rejects: {c.builtin.error}")
            continue
        difference = _difference(c.dcg.dump, c.builtin.dump)
        if difference is not None:
            problems.append(f"{c.label}: dumps differ at {difference}")
    assert not problems, _report(f"of {len(accepted)} samples behave differently", problems)
    if not built.texts.document.get("components", {}).get("schemas"):
        return  # a spec without schemas has nothing to compare
    rejected = [f"{c.label}: {c.dcg.error}" for c in comparisons if not c.dcg.accepted]
    assert comparisons, "no component is a model or enum class in both modules"
    assert len(accepted) >= MIN_ACCEPTED * len(comparisons), _report(
        f"of {len(comparisons)} samples rejected by the dcg models (synthesizer too far off)", rejected
    )


def test_builtin_python_types_like_dcg(built: Built) -> None:
    """Equal JSON can hide a field that fell into the extras or a datetime kept as str: compare
    the validated objects themselves."""
    problems = []
    for c in built.comparisons:
        if c.dcg.accepted and c.builtin.accepted:
            difference = _difference(c.dcg.shape, c.builtin.shape)
            if difference is not None:
                problems.append(f"{c.label}: validated objects differ at {difference}")
    assert not problems, _report("samples validate to objects of other types", problems)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_builtin_output_passes_ruff(spec: Path, tmp_path: Path) -> None:
    runtime = (RUNTIME / "_models.py").read_text(encoding="utf-8")
    try:
        formatted = format_tree({"src/pkg/models.py": _texts(spec).builtin, "src/pkg/_models.py": runtime})
    except Exception as exc:
        pytest.fail(f"the project's formatter fails on the builtin models.py:\n{exc}")
    text = formatted["src/pkg/models.py"]
    compile(text, "models.py", "exec")
    target = tmp_path / "src" / "pkg"
    target.mkdir(parents=True)
    for rel, content in formatted.items():
        (tmp_path / rel).write_text(content, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--config", str(RUFF_CONFIG), "src/pkg/models.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"ruff check fails on the formatted builtin models.py:\n{done.stdout}{done.stderr}"


def _kind(obj: object) -> str:
    if obj is None:
        return "nothing"
    if isinstance(obj, type) and issubclass(obj, pydantic.BaseModel):
        return "model"
    if isinstance(obj, type) and issubclass(obj, Enum):
        return "enum"
    return "other class" if isinstance(obj, type) else "no class"


def _samples(synth: Synthesizer, name: str, schema: Any, kind: str) -> Iterator[tuple[str, Any]]:
    if kind == "model":
        full = synth.sample(name)
        yield "full", full
        minimal = synth.sample(name, minimal=True)
        if minimal != full:
            yield "minimal", minimal
        return
    listed = schema.get("enum") if isinstance(schema, dict) else None
    values = [v for v in listed if v is not None] if isinstance(listed, list) else [synth.sample(name)]
    for value in values:
        yield f"value {value!r}", value
    # Enums are open: a value the server adds later must parse with either emitter.
    if values and all(isinstance(v, str) for v in values):
        yield "unlisted value", "unlisted-value"
    elif values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        yield "unlisted value", 987654


def _evaluate(cls: Any, kind: str, sample: Any) -> Outcome:
    try:
        if kind == "enum":
            member = cls(sample)
            return Outcome(True, member.value, _shape(member))
        model = cls.model_validate(copy.deepcopy(sample))
        with warnings.catch_warnings():
            # Serializer warnings about unexpected value types would only repeat what the dumps show.
            warnings.simplefilter("ignore")
            dump = model.model_dump(**_DUMP)
        return Outcome(True, dump, _shape(model))
    except Exception as exc:  # any failure to validate or dump is a rejection of the sample
        return Outcome(False, error=_brief(f"{type(exc).__name__}: {exc}", 400))


def _shape(value: Any) -> Any:
    """The validated object as plain data that keeps what a JSON dump loses: which keys are
    declared fields (under their Python names) and which are extras, and the type of each value."""
    if isinstance(value, pydantic.RootModel):
        return {"[type]": "root model", "root": _shape(value.root)}
    if isinstance(value, pydantic.BaseModel):
        cls = type(value)
        out: dict[str, Any] = {"[type]": "model"}
        for name in value.model_fields_set:
            info = cls.model_fields.get(name)
            if info is not None:
                alias = info.serialization_alias or info.alias or name
                out[name if alias == name else f"{name} (wire {alias})"] = _shape(getattr(value, name))
        for key, item in (value.model_extra or {}).items():
            out[f"[extra] {key}"] = _shape(item)
        return out
    if isinstance(value, Enum):
        return ("enum", _shape(value.value))
    if value is None or isinstance(value, bool | int | float | str):
        return (type(value).__name__, value)
    if isinstance(value, datetime | date | time):
        return (type(value).__name__, value.isoformat())
    if isinstance(value, timedelta | UUID):
        return (type(value).__name__, str(value))
    if isinstance(value, bytes):
        return ("bytes", value.decode("utf-8", "replace"))
    if isinstance(value, list | tuple):
        return [_shape(v) for v in value]
    if isinstance(value, dict):
        return {"[type]": "dict", **{str(k): _shape(v) for k, v in value.items()}}
    return (type(value).__name__, str(value))


def _difference(dcg: Any, builtin: Any, path: str = "$") -> str | None:
    """Where the two values first differ, or None. Types count: 1 is not 1.0, True is not 1."""
    if isinstance(dcg, dict) and isinstance(builtin, dict):
        only_dcg = sorted(dcg.keys() - builtin.keys(), key=str)
        only_builtin = sorted(builtin.keys() - dcg.keys(), key=str)
        if only_dcg or only_builtin:
            return _brief(f"{path}: keys only from dcg {only_dcg}, only from builtin {only_builtin}", 300)
        for key in sorted(dcg.keys(), key=str):
            found = _difference(dcg[key], builtin[key], f"{path}.{key}")
            if found is not None:
                return found
        return None
    if isinstance(dcg, list) and isinstance(builtin, list):
        if len(dcg) != len(builtin):
            return f"{path}: {len(dcg)} items from dcg, {len(builtin)} from builtin"
        for i, (a, b) in enumerate(zip(dcg, builtin, strict=True)):
            found = _difference(a, b, f"{path}[{i}]")
            if found is not None:
                return found
        return None
    if type(dcg) is not type(builtin) or dcg != builtin:
        return f"{path}: dcg {_brief(dcg)} / builtin {_brief(builtin)}"
    return None


def _brief(value: Any, limit: int = 160) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _report(title: str, problems: list[str]) -> str:
    lines = [f"{len(problems)} {title}:", *(f"  {p}" for p in problems[:REPORT_LIMIT])]
    if len(problems) > REPORT_LIMIT:
        lines.append(f"  ... and {len(problems) - REPORT_LIMIT} more")
    return "\n".join(lines)
