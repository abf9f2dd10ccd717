"""What a run saves on work that does not change its output: compiled templates, where ruff works."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from codegen import render
from codegen.diagnostics import SpecError
from codegen.output import format as formatting
from codegen.pipeline import CURATED, generate_package


@pytest.fixture
def template_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "compiled"
    real = render._CompiledTemplates
    monkeypatch.setattr(render, "_CompiledTemplates", lambda _directory: real(str(folder)))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    return folder


def test_compiled_templates_render_the_same_files(template_cache: Path) -> None:
    first = generate_package(CURATED["reloop"]).files
    written = sorted(template_cache.iterdir())
    assert len(written) >= 7  # one entry per package template used
    assert generate_package(CURATED["reloop"]).files == first
    assert sorted(template_cache.iterdir()) == written


def test_a_template_edit_is_not_hidden_by_its_compiled_entry(
    template_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    templates = tmp_path / "templates"
    (templates / "package").mkdir(parents=True)
    (templates / "package" / "a.j2").write_text("one {{ x }}\n", encoding="utf-8")
    monkeypatch.setattr(render, "TEMPLATES", templates)
    assert render._environment().get_template("a.j2").render(x=1) == "one 1\n"
    (templates / "package" / "a.j2").write_text("two {{ x }}\n", encoding="utf-8")
    assert render._environment().get_template("a.j2").render(x=1) == "two 1\n"


def test_no_compiled_templates_are_written_when_python_writes_no_bytecode(
    template_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    render.compile_templates()
    assert not template_cache.exists()


def test_ruff_gives_the_same_files_in_memory_on_disk_and_when_memory_is_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "src/p/a.py": "import os\nimport sys\nx  =  [1,\n2]\nprint( sys )\n",
        "src/p/b.py": "from typing import Optional\ny: Optional[int] = None\n",
        "README.md": "#  kept   as is\n",
    }
    in_memory = formatting.format_tree(files)
    assert in_memory["src/p/a.py"] == "import sys\n\nx = [1, 2]\nprint(sys)\n"
    assert in_memory["src/p/b.py"] == "y: int | None = None\n"
    assert in_memory["README.md"] == files["README.md"]
    monkeypatch.setattr(formatting, "_MEMORY_TMP", tmp_path / "absent")
    assert formatting._scratch_parent(100) is None
    assert formatting.format_tree(files) == in_memory
    # A memory file system that turns out to be full: the run goes on in the default place.
    monkeypatch.setattr(formatting, "_scratch_parent", lambda size: str(tmp_path / "full"))
    assert formatting.format_tree(files) == in_memory


def test_a_small_package_is_formatted_in_one_batch_a_large_one_in_two(monkeypatch: pytest.MonkeyPatch) -> None:
    from codegen import beside

    batches: list[int] = []
    real = beside.start_format

    def counted(
        files: dict[str, str], package: str | None = None, *, sorted_already: frozenset[str] = frozenset()
    ) -> formatting.PendingFormat:
        batches.append(len(files))
        return real(files, package, sorted_already=sorted_already)

    monkeypatch.setattr(beside, "start_format", counted)
    whole = generate_package(CURATED["reloop"]).files
    assert len(batches) == 1 and batches[0] == len(whole)
    batches.clear()
    monkeypatch.setattr(beside.Beside, "_ALONE_FROM", 0)
    assert generate_package(CURATED["reloop"]).files == whole  # the same files, formatted in two batches
    assert len(batches) == 2 and sum(batches) == len(whole)


def test_split_models_skip_the_lint_pass_and_come_out_as_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from codegen import beside, pipeline

    checked: list[list[str]] = []
    real = formatting.subprocess.run

    def recorded(command: list[str], **kwargs: Any) -> Any:
        if "check" in command:
            checked.append(command)
        return real(command, **kwargs)

    monkeypatch.setattr(formatting.subprocess, "run", recorded)
    monkeypatch.setattr(pipeline, "SPLIT_FROM_SCHEMAS", 0)
    monkeypatch.setattr(beside.Beside, "_ALONE_FROM", 0)
    split = generate_package(CURATED["reply"], models="builtin").files
    assert len(checked) == 1, "only the resource modules' batch is linted"
    checked.clear()
    monkeypatch.setattr(beside.Beside, "_ALONE_FROM", 1 << 40)  # one batch: the models are named
    assert generate_package(CURATED["reply"], models="builtin").files == split
    assert len(checked) == 1 and not any("/models/" in arg for arg in checked[0])
    real_start = beside.start_format
    monkeypatch.setattr(beside, "start_format", lambda files, package, **_: real_start(files, package))
    assert generate_package(CURATED["reply"], models="builtin").files == split, "as the lint pass leaves them"


def test_a_run_gives_the_garbage_collector_back_as_it_found_it(tmp_path: Path) -> None:
    import gc

    assert gc.isenabled()
    generate_package(CURATED["reloop"])
    assert gc.isenabled()
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.0.3\ninfo: [\n", encoding="utf-8")
    with pytest.raises(SpecError):
        generate_package(broken)
    assert gc.isenabled()
    gc.disable()
    try:
        generate_package(CURATED["reloop"])
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_the_loaded_document_goes_with_its_last_reference() -> None:
    """Where a forked copy writes the models, the process collects no garbage during the run (a
    full collection walks millions of objects): nothing the stages keep may hold the document
    as loaded in a reference cycle once the pipeline lets it go."""
    import gc
    import weakref

    from codegen.lower import lower
    from codegen.prepare import prepare
    from codegen.render import render_package
    from codegen.spec.load import load_spec
    from codegen.spec.validate import validate_openapi

    class Probe(dict[str, Any]):  # a mapping of the document: the prepared copy has its own
        pass

    collecting = gc.isenabled()
    gc.disable()
    try:
        spec = load_spec(CURATED["reply"])
        probe = Probe()
        spec.data["info"]["x-probe"] = probe
        alive = weakref.ref(probe)
        del probe
        validate_openapi(spec)
        prepared = prepare(spec)
        package = lower(spec, prepared)
        assert render_package(package)
        del spec
        assert alive() is None, "a cycle holds the loaded document"
    finally:
        if collecting:
            gc.enable()
