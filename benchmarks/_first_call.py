"""Import, client and first list call of large real-world specs, ours next to openapi-python-client.

Used by import_time.py. Both tools generate from the same spec (our run with an empty model
cache); then each fresh interpreter imports the package, builds a client on an httpx
MockTransport and makes one list call, which the transport answers with one item (the smallest
instance of the response schema: required properties only, one element in the list). Bytecode is
cached first, as pip does for an installed wheel. Figures, not a test.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus import fetch_corpus, opc_python
from generate import fetch_spec

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 0.5


@dataclass(frozen=True)
class Case:
    name: str
    spec: Path
    path: str  # the list operation called: GET of this path
    path_params: dict[str, str]


def cases() -> list[Case]:
    return [
        Case("Stripe", fetch_corpus() / "stripe.com.json", "/v1/customers", {}),
        Case("GitHub", fetch_spec(), "/repos/{owner}/{repo}/issues", {"owner": "octo", "repo": "hello"}),
    ]


# Runs in a fresh interpreter: {setup} imports and builds the client, {call} makes the call.
_PROBE = """
import json, sys, time
sys.path.insert(0, {root!r})
started, cpu = time.perf_counter(), time.process_time()
import httpx
payload = json.loads({payload!r})
transport = httpx.MockTransport(lambda request: httpx.Response(200, json=payload))
{setup}
built = time.perf_counter()
result = {call}
done = time.perf_counter()
print(json.dumps({{"import_client": built - started, "call": done - built, "total": done - started,
                  "cpu": time.process_time() - cpu, "result": type(result).__name__}}))
"""


def minimal(document: dict[str, Any], schema: Any, depth: int = 0) -> Any:
    """The smallest instance of `schema` that both tools' models accept: required properties,
    None where null is allowed, one element in the list at the top (the item of a list call)."""
    schema = _resolved(document, schema)
    if not isinstance(schema, dict) or depth > 40:
        return None
    if schema.get("nullable") is True:
        return None
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if schema.get(key):
            plain = [m for m in schema[key] if isinstance(m, dict) and m.get("type") in ("string", "integer")]
            return minimal(document, (plain or schema[key])[0], depth + 1)
    if schema.get("allOf"):
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            value = minimal(document, part, depth + 1)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    kind = schema.get("type")
    if kind == "array" or "items" in schema:
        return [minimal(document, schema.get("items"), depth + 1)] if depth == 0 else []
    if kind == "object" or "properties" in schema:
        props = schema.get("properties") or {}
        return {
            name: minimal(
                document, props.get(name), depth + (0 if depth == 0 and _is_array(document, props.get(name)) else 1)
            )
            for name in schema.get("required") or []
        }
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return False
    formats = {"date-time": "2024-01-02T03:04:05Z", "date": "2024-01-02", "uri": "https://example.com/x"}
    return formats.get(schema.get("format"), "x")


def _is_array(document: dict[str, Any], schema: Any) -> bool:
    schema = _resolved(document, schema)
    return isinstance(schema, dict) and (schema.get("type") == "array" or "items" in schema)


def _resolved(document: dict[str, Any], schema: Any) -> Any:
    for _ in range(50):
        if not (isinstance(schema, dict) and isinstance(schema.get("$ref"), str)):
            break
        target: Any = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        schema = target
    return schema


def payload(case: Case) -> str:
    document = json.loads(case.spec.read_text(encoding="utf-8"))
    responses = document["paths"][case.path]["get"]["responses"]
    response = responses.get("200") or responses.get("default")
    response = _resolved(document, response)
    return json.dumps(minimal(document, response["content"]["application/json"]["schema"]))


def ours(case: Case, out: Path) -> tuple[str, str, str]:
    """(src folder, setup, call) for our package: the resource method whose spec is GET path."""
    if not out.exists():
        env = {**os.environ, "CODEGEN_CACHE_DIR": str(out.parent / "cache")}
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "codegen"), "generate", str(case.spec), "--out", str(out)],
            check=True,
            capture_output=True,
            env=env,
        )
    src = out / "src"
    package = next(p.name for p in src.iterdir() if p.is_dir())
    client_py = (src / package / "_client.py").read_text(encoding="utf-8")
    client = re.search(r"^class (\w+)\(SyncAPIClient\)", client_py, re.M).group(1)  # type: ignore[union-attr]
    wanted = f'method="get",\n            path={case.path!r}'.replace("'", '"')
    for module in sorted((src / package / "resources").glob("*.py")):
        text = module.read_text(encoding="utf-8")
        at = text.find(wanted)
        if at < 0:
            continue
        method = re.findall(r"^    def (\w+)\(", text[:at], re.M)[-1]
        resource = re.findall(r"^class (\w+Resource)\b", text[:at], re.M)[-1]
        attr = re.search(rf"def (\w+)\(self\) -> {resource}:", client_py).group(1)  # type: ignore[union-attr]
        args = ", ".join(f"{k}={v!r}" for k, v in case.path_params.items())
        setup = (
            f"import {package}\nclient = {package}.{client}(api_key='k', http_client=httpx.Client(transport=transport))"
        )
        return str(src), setup, f"client.{attr}.{method}({args})"
    raise SystemExit(f"no generated method for GET {case.path}")


def theirs(case: Case, out: Path) -> tuple[str, str, str]:
    if not out.exists():
        command = [str(opc_python().parent / "openapi-python-client"), "generate", "--path", str(case.spec)]
        command += ["--output-path", str(out), "--overwrite"]
        if subprocess.run(command, capture_output=True).returncode != 0:
            # It refuses Stripe's spec by default (two enum members with one name) and suggests this.
            config = out.parent / "opc-config.json"
            config.write_text('{"literal_enums": true}', encoding="utf-8")
            print(f"({case.name}: openapi-python-client fails by default, run with literal_enums: true)")
            subprocess.run([*command, "--config", str(config)], check=True, capture_output=True)
    package = next(p.name for p in out.iterdir() if (p / "__init__.py").exists())
    url = re.sub(r"\{(\w+)\}", lambda m: "{" + m.group(1) + "}", case.path)
    for module in sorted((out / package / "api").rglob("*.py")):
        text = module.read_text(encoding="utf-8")
        if '"method": "get"' in text and (f'"url": "{url}"' in text or f'"url": f"{url}"' in text):
            dotted = ".".join(module.relative_to(out).with_suffix("").parts)
            args = "".join(f"{k}={v!r}, " for k, v in case.path_params.items())
            setup = (
                f"from {package} import Client\nfrom {dotted} import sync\n"
                "client = Client(base_url='https://api.example.com', httpx_args={'transport': transport})"
            )
            return str(out), setup, f"sync({args}client=client)"
    raise SystemExit(f"openapi-python-client wrote no function for GET {case.path}")


def measure(python: Path, root: str, setup: str, call: str, body: str, runs: int) -> dict[str, float]:
    code = _PROBE.format(root=root, payload=body, setup=setup, call=call)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    results = []
    for _ in range(runs + 1):  # the first run writes the bytecode
        done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, env=env, cwd=root)
        if done.returncode != 0:
            raise SystemExit(f"probe failed:\n{done.stderr[-3000:]}")
        results.append(json.loads(done.stdout))
    keys = ("import_client", "call", "total", "cpu")
    return {key: statistics.median(float(r[key]) for r in results[1:]) for key in keys}


def report(runs: int, work: Path | None) -> None:
    with tempfile.TemporaryDirectory(prefix="first-call-") as tmp:
        base = work or Path(tmp)
        print(f"\nimport + client + first list call (one item), median of {runs} fresh interpreters, seconds")
        print("(cpu: the process's CPU time for the same, which a busy machine inflates less than wall time)")
        print(f"{'spec':8} {'tool':24} {'import+client':>14} {'call':>8} {'total':>8} {'cpu':>8}   target")
        for case in cases():
            body = payload(case)
            rows = [
                ("codegen", Path(sys.executable), *ours(case, base / case.name / "ours")),
                ("openapi-python-client", opc_python(), *theirs(case, base / case.name / "opc")),
            ]
            for tool, python, root, setup, call in rows:
                got = measure(python, root, setup, call, body, runs)
                verdict = (
                    "" if tool != "codegen" else f"<= {TARGET_S} s: {'ok' if got['total'] <= TARGET_S else 'OVER'}"
                )
                figures = f"{got['import_client']:14.3f} {got['call']:8.3f} {got['total']:8.3f} {got['cpu']:8.3f}"
                print(f"{case.name:8} {tool:24} {figures}   {verdict}")
