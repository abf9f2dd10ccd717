"""Nothing in a spec can inject code into the output.

Hypothesis builds specs whose every free-text and name field carries hostile text (quotes that end
strings and docstrings, backslashes, Jinja delimiters, newlines and Unicode line separators) around
a payload that would set a marker if it ever ran. The output must compile, import, serve a call,
and the marker must never be set.
"""

from __future__ import annotations

import builtins
import importlib
import itertools
import json
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from codegen.output.write import write_tree
from codegen.pipeline import generate_package

MARKER = "CODEGEN_INJECTION_MARKER"
PAYLOAD = f"__import__('builtins').__setattr__('{MARKER}', 1)"
FRAGMENTS = [
    '"""',
    "'''",
    '"',
    "'",
    "\\",
    "\\n",
    "\n",
    "\r",
    "\r\n",
    "\u2028",
    "\u2029",
    "\x85",
    "\x0b",
    "\x0c",
    "\x00",
    "{{ ",
    " }}",
    "{% ",
    " %}",
    "{#",
    "#",
    "$",
    "`",
    "\t",
    ")",
    "(",
    "]",
    "[",
    ",",
    ";",
    "f'",
    "é",
    "日本",
    PAYLOAD,
    f'"""\n{PAYLOAD}\n"""',
    f"'\n{PAYLOAD}\n#",
    f'"); {PAYLOAD}; ("',
    f"{{{{ {PAYLOAD} }}}}",
]
hostile = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), min_size=1, max_size=6).map("".join)
_counter = itertools.count()


def _ref(name: str) -> str:
    """A ref to a component schema: the name as a JSON pointer token, percent-encoded in the fragment."""
    return "#/components/schemas/" + quote(name.replace("~", "~0").replace("/", "~1"), safe="")


def _spec(t: list[str]) -> dict[str, Any]:
    """A spec with hostile text t[i] in every field that reaches the output."""
    return {
        "openapi": "3.1.0",
        "info": {"title": t[0], "version": t[1], "description": t[2]},
        "servers": [{"url": "https://api.example.com/" + t[3]}],
        "paths": {
            "/things/{id}/" + t[4].replace("{", "").replace("}", ""): {
                "post": {
                    "operationId": "op " + t[5],
                    "tags": ["tag " + t[6]],
                    "summary": t[7],
                    "description": t[8],
                    "deprecated": True,
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                        {
                            "name": "q" + t[9],
                            "in": "query",
                            "description": t[10],
                            "deprecated": True,
                            "schema": {"type": "string", "enum": [t[11], "plain"], "default": t[12], "example": t[13]},
                        },
                        {"name": "h" + t[14], "in": "header", "schema": {"type": "string"}},
                    ],
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": _ref("Thing" + t[15])}}}},
                    "responses": {
                        "200": {
                            "description": t[16],
                            "content": {"application/json": {"schema": {"$ref": _ref("Thing" + t[15])}}},
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Thing" + t[15]: {
                    "title": t[17],
                    "description": t[18],
                    "type": "object",
                    "properties": {
                        t[19]: {"type": "string", "description": t[20], "default": t[21], "examples": [t[22]]},
                        "kind": {"description": t[23], "enum": [t[24], t[25] + "x"], "default": t[24]},
                        "other": {"$ref": _ref("Other" + t[26])},
                    },
                },
                "Other" + t[26]: {"description": t[27], "type": "string", "enum": [t[28], t[29] + "y"]},
            }
        },
    }


# Each example generates a whole package (about a second); no shrinking keeps a failure's report
# bounded in time too (the failing spec is printed as generated).
@settings(
    max_examples=40,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@pytest.mark.slow
@given(st.lists(hostile, min_size=30, max_size=30), st.sampled_from(["datamodel-code-generator", "builtin"]))
def test_hostile_specs_compile_import_and_never_run_the_payload(texts: list[str], models: str) -> None:
    name = f"hostile_{next(_counter)}"
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "spec.json"
        spec.write_text(json.dumps(_spec(texts)), encoding="utf-8")
        files = generate_package(spec, package_name=name, models=models).files
        for rel, text in files.items():
            if rel.endswith(".py"):
                compile(text, rel, "exec")
        tomllib.loads(files["pyproject.toml"])
        out = Path(tmp) / "out"
        write_tree(out, files)
        sys.path.insert(0, str(out / "src"))
        try:
            _exercise(name)
        finally:
            sys.path.remove(str(out / "src"))
            for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
                del sys.modules[module]
    assert not hasattr(builtins, MARKER), "a payload from the spec ran"


def _exercise(name: str) -> None:
    package = importlib.import_module(name)
    models = importlib.import_module(name + ".models")
    for cls in vars(models).values():
        if isinstance(cls, type) and hasattr(cls, "model_json_schema") and cls.__module__ == models.__name__:
            cls.model_json_schema()
    client_name = next(n for n in package.__all__ if "Async" + n in package.__all__)
    http = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, json={})))
    client = getattr(package, client_name)(api_key="k", base_url="https://api.example.com", http_client=http)
    for attr in [a for a in dir(type(client)) if not a.startswith("_")]:
        resource = getattr(client, attr)
        for method in [m for m in dir(type(resource)) if not m.startswith("_") and m != "with_raw_response"]:
            call = getattr(resource, method)
            if callable(call) and type(resource).__module__.startswith(name + ".resources"):
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    call("id-1")
