"""A large spec's models are written by a forked copy of the process (pipeline._models_apart):
the package must be the same as one process writes it, and whatever goes wrong in the copy must
end as it would in one process, leaving no process and no scratch file behind.

Each case runs in a fresh interpreter: a copy is only forked from a process with a single
thread, which a test process that has run other tests may not be."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Runs a case; prints what the tests compare. SPLIT_FROM_SCHEMAS = 0 splits reply's models into
# a package, as a large spec's are; MODELS_APART_FROM says which runs fork.
_CASE = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    from codegen import forked, pipeline
    from codegen.diagnostics import SpecError
    from codegen.output import format as formatting

    case, scratch = sys.argv[1], Path(sys.argv[2])
    cores = os.cpu_count
    os.cpu_count = lambda: max(2, cores() or 1)  # a copy is forked on two cores or more
    formatting._MEMORY_TMP = scratch
    pipeline.SPLIT_FROM_SCHEMAS = 0

    def recorded(name):  # Forked.<name>, recording whether each call gave something
        real, calls = getattr(forked.Forked, name), []

        def wrapper(*args):
            value = real(*args)
            calls.append(value is not None)
            return value

        setattr(forked.Forked, name, wrapper)
        return calls

    copies = recorded("start")  # whether each run forked a copy
    answered = recorded("result")  # whether each copy's models were used

    def run(spec, apart, **kwargs):
        pipeline.MODELS_APART_FROM = 0 if apart else 1 << 62
        try:
            done = pipeline.generate_package(spec, **kwargs)
            return {"files": done.files, "warnings": list(done.package.warnings)}
        except SpecError as error:
            return {"error": [str(d) for d in error.diagnostics]}

    reply, reloop = pipeline.CURATED["reply"], pipeline.CURATED["reloop"]
    if case == "same":
        out = [run(reply, False, models="builtin"), run(reply, True, models="builtin")]
    elif case == "other generator":
        out = [run(reloop, False), run(reloop, True)]
    elif case == "repaired defect":
        spec = scratch.parent / "defect.json"
        thing = {"type": "object", "properties": {"v": {"type": "integer", "default": "inf"}}}
        spec.write_text(json.dumps({
            "openapi": "3.0.3", "info": {"title": "Defect", "version": "1"},
            "paths": {"/t": {"get": {"operationId": "getThing", "responses": {"200": {
                "description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}}},
            "components": {"schemas": {"Thing": thing}},
        }), encoding="utf-8")
        out = [run(spec, False, models="builtin"), run(spec, True, models="builtin")]
    elif case == "copy dies":
        real_apart = pipeline._models_apart
        pipeline._models_apart = lambda *args: (lambda receive: os._exit(3))
        out = [run(reply, True, models="builtin")]
        pipeline._models_apart = real_apart
        out.insert(0, run(reply, False, models="builtin"))
    elif case == "refused spec":
        broken = scratch.parent / "broken.yaml"
        broken.write_text("swagger: '2.0'\\ninfo: {title: x, version: '1'}\\npaths: {}\\n", encoding="utf-8")
        out = [run(broken, True)]
    elif case == "defect in a model":
        from codegen.models.builtin import split
        real_text = split._module_text
        split._module_text = lambda *args: real_text(*args) + "\\ndef f(x, x):\\n    pass\\n"
        out = [run(reply, True, models="builtin")]
    try:
        os.waitpid(-1, os.WNOHANG)
        children = True
    except ChildProcessError:
        children = False
    print(json.dumps({"out": out, "copies": copies, "answered": answered, "children": children,
                      "scratch": sorted(p.name for p in scratch.iterdir())}))
    """
)


def _case(name: str, tmp_path: Path) -> dict[str, object]:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", _CASE, name, str(scratch)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["children"] is False, "a process of the run was left behind"
    assert found["scratch"] == [], "a scratch folder was left behind"
    return found


needs_fork = pytest.mark.skipif(sys.platform != "linux", reason="a copy is forked on Linux only")


@needs_fork
def test_the_copy_writes_the_package_one_process_writes(tmp_path: Path) -> None:
    found = _case("same", tmp_path)
    alone, apart = found["out"]  # type: ignore[misc]
    assert found["copies"] == [True] and found["answered"] == [True]  # forked once, for the second run
    assert "files" in alone and any("/models/" in rel for rel in alone["files"])
    assert apart == alone


@needs_fork
def test_the_copy_repairs_what_validation_repairs(tmp_path: Path) -> None:
    """A default that does not fit its type is dropped (validation's repair) in the models the
    copy writes too: the copy loads the spec again, and must validate it as the process does."""
    found = _case("repaired defect", tmp_path)
    alone, apart = found["out"]  # type: ignore[misc]
    assert found["answered"] == [True]
    (thing,) = [text for rel, text in alone["files"].items() if rel.endswith("models/_thing.py")]
    assert "inf" not in thing
    assert apart == alone


@needs_fork
def test_a_spec_for_another_generator_is_left_to_the_process_itself(tmp_path: Path) -> None:
    found = _case("other generator", tmp_path)
    alone, apart = found["out"]  # type: ignore[misc]
    assert found["copies"] == [True]  # forked once, for the second run
    assert "files" in alone and apart == alone


@needs_fork
def test_a_copy_that_dies_leaves_the_work_to_the_process(tmp_path: Path) -> None:
    found = _case("copy dies", tmp_path)
    alone, apart = found["out"]  # type: ignore[misc]
    assert "files" in alone and apart == alone


@needs_fork
def test_a_refused_spec_stops_the_copy(tmp_path: Path) -> None:
    found = _case("refused spec", tmp_path)
    (refused,) = found["out"]  # type: ignore[misc]
    assert found["copies"] == [True]
    assert refused["error"] and "error" in refused["error"][0]


@needs_fork
def test_a_defect_in_the_copys_models_is_reported_with_its_module(tmp_path: Path) -> None:
    found = _case("defect in a model", tmp_path)
    (failed,) = found["out"]  # type: ignore[misc]
    assert found["copies"] == [True]
    assert failed["error"] and all("/models/" in line and "does not compile" in line for line in failed["error"])
