"""A package whose models are split (large specs; here forced on small ones) loads on a call only
what the call parses into: its resource modules import the models for type checkers alone, and
references within a reference cycle are deferred (test_deferred_models.py). Generated end to end,
the package must type-check as before, with the deferred fields as precise as the plain ones, and
its calls must give the same values."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from codegen import pipeline
from codegen.pipeline import CURATED, generate_package

ROOT = Path(__file__).resolve().parents[2]
RECURSIVE = ROOT / "tests" / "fixtures" / "specs" / "recursive.yaml"


def _generated(tmp_path: Path, spec: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str, str]:
    """(src folder, package, client class) of the spec's package, its models split."""
    monkeypatch.setattr(pipeline, "SPLIT_FROM_SCHEMAS", 0)
    files = generate_package(spec, models="builtin").files
    for rel, text in files.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    src = tmp_path / "src"
    package = next(p.name for p in src.iterdir() if p.is_dir())
    client = re.search(r"^class (\w+)\(SyncAPIClient\)", (src / package / "_client.py").read_text(), re.M)
    assert client is not None
    return src, package, client.group(1)


def _probe(src: Path, code: str) -> object:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=src, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_a_call_loads_only_the_models_it_parses_into(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, package, client = _generated(tmp_path, CURATED["reply"], monkeypatch)
    seen = _probe(
        src,
        f"""
        import json, sys, httpx
        import {package}
        def models():
            return sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("{package}.models._"))
        item = {{"id": 1, "email": "a@example.com"}}
        transport = httpx.MockTransport(lambda request: httpx.Response(200, json=item))
        client = {package}.{client}(api_key="k", http_client=httpx.Client(transport=transport))
        client.contacts
        out = {{"resource": [m for m in sys.modules if m.endswith(".resources.contacts")], "after import": models()}}
        contact = client.contacts.retrieve(1)
        out["after call"] = models()
        out["result"] = [type(contact).__name__, contact.email]
        out["all"] = len(open("{package}/models/__init__.py").read().split("_NAMES = {{", 1)[1].split("}}", 1)[0]
                           .strip().splitlines())
        print(json.dumps(out))
        """,
    )
    assert isinstance(seen, dict)
    assert seen["resource"], "the resource module was imported"
    assert seen["after import"] == [], "importing a resource module loads no model"
    assert seen["result"] == ["Contact", "a@example.com"]
    assert 0 < len(seen["after call"]) < seen["all"] / 4, seen["after call"]


@pytest.mark.slow
def test_deferred_fields_type_check_as_the_plain_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src, package, client = _generated(tmp_path, RECURSIVE, monkeypatch)
    assert "DEFERRED" in (src / package / "models" / "_person.py").read_text(encoding="utf-8")
    usage = f"""
        import httpx
        from {package} import {client}
        from {package}.models import Company, Person

        def employer_name(client: {client}) -> str:
            person: Person = client.people.get("ada")
            company: Company | None = person.employer
            return company.name if company is not None else ""

        print(employer_name)
        """
    (src / "usage.py").write_text(textwrap.dedent(usage), encoding="utf-8")
    (src / "wrong.py").write_text(
        textwrap.dedent(
            f"""
            from {package}.models import Person

            def wrong(person: Person) -> int:
                return person.employer
            """
        ),
        encoding="utf-8",
    )
    mypy = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".mypy")]
    good = subprocess.run([*mypy, "-p", package], cwd=src, capture_output=True, text=True)
    assert good.returncode == 0, good.stdout[-3000:]
    usage_checked = subprocess.run([*mypy, "usage.py"], cwd=src, capture_output=True, text=True)
    assert usage_checked.returncode == 0, usage_checked.stdout[-3000:]
    bad = subprocess.run([*mypy, "wrong.py"], cwd=src, capture_output=True, text=True)
    assert bad.returncode != 0 and '"Company | None"' in bad.stdout, bad.stdout
    pyright = subprocess.run(
        [str(Path(sys.executable).parent / "pyright"), "--pythonpath", sys.executable, package, "usage.py"],
        cwd=src,
        capture_output=True,
        text=True,
    )
    assert pyright.returncode == 0, pyright.stdout[-3000:]


def _person_as_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, person: dict[str, object]) -> object:
    """What a call answering `person` gives: the classes along its deferred cycle and its dump."""
    src, package, client = _generated(tmp_path, RECURSIVE, monkeypatch)
    return _probe(
        src,
        f"""
        import json, httpx
        import {package}
        transport = httpx.MockTransport(lambda request: httpx.Response(200, json={person!r}))
        client = {package}.{client}(api_key="k", http_client=httpx.Client(transport=transport))
        person = client.people.get("ada")
        print(json.dumps([type(person.employer).__name__, type(person.employer.ceo).__name__,
                          type(person.employer.employees[0]).__name__, person.employer.employees[0].name,
                          person.to_dict()]))
        """,
    )


def test_a_call_through_a_deferred_cycle_gives_the_nested_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = {"name": "ada", "employer": {"name": "acme", "ceo": {"name": "bob"}, "employees": [{"name": "cy"}]}}
    assert _person_as_parsed(tmp_path, monkeypatch, person) == ["Company", "Person", "Person", "cy", person]


def test_a_response_that_does_not_fit_keeps_deferred_objects_as_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lenient build after a failed validation (runtime _parsing.py) reads the fields'
    annotations, where a deferred field names a stand-in: it must build the real class."""
    person = {"name": 5, "employer": {"name": 7, "ceo": {"name": "bob"}, "employees": [{"name": 8}]}}
    assert _person_as_parsed(tmp_path, monkeypatch, person) == ["Company", "Person", "Person", 8, person]
