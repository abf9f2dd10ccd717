"""What the spec says about the client: authentication it requires, servers it declares, names."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from codegen.naming import class_from_title, env_prefix, package_from_title
from codegen.output.write import write_tree
from codegen.pipeline import generate_package

SPEC = """
openapi: 3.0.3
info: {{title: {title}, version: "1"}}
servers: [{{url: "{server}"}}]
paths:
  /things:
    get:
      operationId: listThings
      {security}
      responses:
        "200": {{description: ok, content: {{application/json: {{schema: {{type: array, items: {{type: string}}}}}}}}}}
components:
  securitySchemes:
    key: {{type: apiKey, in: header, name: X-Key}}
"""


def _package(
    tmp_path: Path, *, title: str = "Open Things", server: str = "https://api.example.com", security: str = ""
) -> tuple[Path, str, str]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.format(title=title, server=server, security=security), encoding="utf-8")
    generated = generate_package(spec)
    write_tree(tmp_path / "out", generated.files)
    return tmp_path / "out" / "src", generated.package.package, generated.package.client


def _run(src: Path, code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=src, capture_output=True, text=True, env={"PATH": ""}
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


CALL = """
import httpx, {package}
seen = []
def answer(request):
    seen.append(request)
    return httpx.Response(200, json=["a"])
client = {package}.{client}(http_client=httpx.Client(transport=httpx.MockTransport(answer)){extra})
print(client.things.list(), seen[0].url, seen[0].headers.get("X-Key"))
"""


def test_no_security_requirement_means_no_key_is_needed(tmp_path: Path) -> None:
    src, package, client = _package(tmp_path)
    assert (
        _run(src, CALL.format(package=package, client=client, extra="")) == "['a'] https://api.example.com/things None"
    )


def test_a_security_requirement_needs_the_key(tmp_path: Path) -> None:
    src, package, client = _package(tmp_path, security="security: [{key: []}]")
    done = subprocess.run(
        [sys.executable, "-c", CALL.format(package=package, client=client, extra="")],
        cwd=src,
        capture_output=True,
        text=True,
        env={"PATH": ""},
    )
    assert done.returncode != 0 and "No API key" in done.stderr
    assert _run(src, CALL.format(package=package, client=client, extra=", api_key='k'")).endswith(" k")


@pytest.mark.parametrize("server", ["http://api.example.com"])
def test_a_declared_http_server_is_the_default_and_other_http_hosts_need_allow_http(
    tmp_path: Path, server: str
) -> None:
    src, package, client = _package(tmp_path, server=server)
    assert _run(src, CALL.format(package=package, client=client, extra="")).endswith(
        "http://api.example.com/things None"
    )
    refused = CALL.format(package=package, client=client, extra=", base_url='http://other.example.com'")
    done = subprocess.run([sys.executable, "-c", refused], cwd=src, capture_output=True, text=True)
    assert done.returncode != 0 and "allow_http=True" in done.stderr
    allowed = CALL.format(
        package=package, client=client, extra=", base_url='http://other.example.com', allow_http=True"
    )
    assert _run(src, allowed).endswith("http://other.example.com/things None")


def test_https_only_for_other_hosts_stays(tmp_path: Path) -> None:
    src, package, client = _package(tmp_path)
    refused = CALL.format(package=package, client=client, extra=", base_url='http://api.example.com'")
    done = subprocess.run([sys.executable, "-c", refused], cwd=src, capture_output=True, text=True)
    assert done.returncode != 0 and "must use https://" in done.stderr


@pytest.mark.parametrize(
    ("title", "package", "client", "env"),
    [
        ("OpenAI API", "openai", "OpenAI", "OPENAI"),
        ("GitHub v3 REST API", "github", "GitHub", "GITHUB"),
        ("Plain Todo", "plain_todo", "PlainTodo", "PLAIN_TODO"),
        ("Acme Client", "acme", "Acme", "ACME"),
        ("PTV Timetable API - Version 3", "ptv_timetable", "PTVTimetable", "PTV_TIMETABLE"),
        (
            "The Very Long Name Of Some Service API",
            "the_very_long_name_of_some",
            "TheVeryLongNameOfSome",
            "THE_VERY_LONG",
        ),
    ],
)
def test_names_read_well_for_common_titles(title: str, package: str, client: str, env: str) -> None:
    assert (package_from_title(title), class_from_title(title), env_prefix(package_from_title(title))) == (
        package,
        client,
        env,
    )


def test_distribution_has_no_doubled_client_suffix(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC.format(title="Acme", server="https://x.example.com", security=""), encoding="utf-8")
    assert generate_package(spec, package_name="acme_client").package.distribution == "acme-client"
