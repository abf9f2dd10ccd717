"""Generate a client from a large real-world spec, next to openapi-python-client on the same spec.

    .venv/bin/python benchmarks/generate.py [--spec PATH] [--no-opc] [--no-stages] [--mypy] [--dcg] [--rounds 3]

The default spec is GitHub's REST API description as the npm package @octokit/openapi ships it
(api.github.com.json: 1,223 operations, 969 schemas, 13 MB), fetched once with `npm pack` into
.tools/bench/. openapi-python-client runs from the corpus benchmark's virtualenv (corpus.py),
created on first use. Both tools run as child processes measured the same way: wall time, and the
peak resident memory of the largest process they start, each with its bytecode compiled as an
installed tool has it (corpus.installed_env). Our first run is cold (empty caches); a
second run on the unchanged spec shows what the validation and model caches save. The machine's
speed drifts by tens of percent within minutes, so both tools then run cold in turn for more
rounds, and the ratio of each round and their median are printed. Figures, not a timed test.

From 500 schemas on, models come from the builtin emitter (codegen/models/builtin); `--dcg` adds a
run that forces datamodel-code-generator instead, to show what that choice saves.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from corpus import compile_generator, installed_env, opc_python

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools"
OCTOKIT = "@octokit/openapi@23.0.2"
OPC = "openapi-python-client==0.29.1"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Runs a command and reports its wall time and the peak RSS of the largest process it started.
_MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
log = done.stdout + done.stderr
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": time.perf_counter() - started, "rc": done.returncode,
                  "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
                  "dropped_operations": log.count("Endpoint will not be generated"),
                  "dropped_responses": log.count("response will be omitted"),
                  "warnings": log.count(": warning: "), "stderr": done.stderr[-4000:]}))
"""

# Times each stage of our pipeline (in a child, so the main measurement stays clean).
_STAGES = """
import json, sys, time
from pathlib import Path
from codegen.pipeline import generate_package
marks = []
generate_package(Path(sys.argv[1]), progress=lambda stage: marks.append((stage, time.perf_counter())))
marks.append(("end", time.perf_counter()))
print(json.dumps({a[0]: b[1] - a[1] for a, b in zip(marks, marks[1:])}))
"""


def fetch_spec() -> Path:
    target = TOOLS / "bench" / "package" / "generated" / "api.github.com.json"
    if not target.exists():
        (TOOLS / "bench").mkdir(parents=True, exist_ok=True)
        print(f"fetching {OCTOKIT} with npm pack ...", flush=True)
        done = subprocess.run(
            ["npm", "pack", OCTOKIT, "--silent", "--pack-destination", str(TOOLS / "bench")],
            capture_output=True,
            text=True,
            check=True,
        )
        archive = TOOLS / "bench" / done.stdout.strip().splitlines()[-1]
        with tarfile.open(archive) as tar:
            tar.extractall(
                TOOLS / "bench",
                members=[m for m in tar.getmembers() if m.name.endswith("api.github.com.json")],
                filter="data",
            )
        archive.unlink()
    return target


def opc_executable() -> Path:
    # The corpus benchmark's virtualenv: the same pinned version, installed once.
    return opc_python().parent / "openapi-python-client"


def measure(command: list[str], env: dict[str, str] | None = None) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, env=env, check=True
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def spec_counts(spec: Path) -> tuple[int, int]:
    data = json.loads(spec.read_text(encoding="utf-8"))
    operations = sum(1 for item in data.get("paths", {}).values() for m in HTTP_METHODS if m in item)
    return operations, len(data.get("components", {}).get("schemas", {}))


def our_operations(out: Path) -> int:
    # Every operation is one RequestSpec in each of its two classes (sync, async); the raw and
    # streaming classes wrap those methods.
    count = sum(p.read_text(encoding="utf-8").count("spec = RequestSpec(") for p in out.glob("src/*/resources/*.py"))
    return count // 2


def opc_operations(out: Path) -> int:
    return sum(1 for p in out.glob("*/api/**/*.py") if "def sync_detailed(" in p.read_text(encoding="utf-8"))


def mypy_strict(out: Path) -> bool:
    src = out / "src"
    package = next(src.iterdir()).name
    with tempfile.TemporaryDirectory() as cache:
        done = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--cache-dir", cache, "-p", package],
            cwd=src,
            capture_output=True,
        )
    return done.returncode == 0


def check_ours(out: Path) -> tuple[bool, bool]:
    src = out / "src"
    package = next(src.iterdir()).name
    modules = [
        f"{package}.resources.{p.stem}" for p in (src / package / "resources").glob("*.py") if p.stem != "__init__"
    ]
    code = f"import importlib, {package}, {package}.models\nfor m in {modules!r}: importlib.import_module(m)"
    imports = subprocess.run([sys.executable, "-c", code], cwd=src, capture_output=True).returncode == 0
    ruff = (
        subprocess.run(
            [
                sys.executable,
                "-m",
                "ruff",
                "check",
                "--quiet",
                "--config",
                str(ROOT / "codegen" / "ruff.toml"),
                str(out),
            ],
            capture_output=True,
        ).returncode
        == 0
    )
    return imports, ruff


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spec", type=Path, help="spec to generate (default: GitHub's REST API)")
    parser.add_argument("--no-opc", action="store_true", help="skip openapi-python-client")
    parser.add_argument("--no-stages", action="store_true", help="skip the per-stage timing run")
    parser.add_argument("--mypy", action="store_true", help="also run mypy --strict on our output")
    parser.add_argument("--dcg", action="store_true", help="also run with datamodel-code-generator for the models")
    parser.add_argument(
        "--rounds", type=int, default=3, help="cold runs of both tools, alternating (the machine's speed drifts)"
    )
    args = parser.parse_args()
    spec = (args.spec or fetch_spec()).resolve()
    operations, schemas = spec_counts(spec)
    print(f"spec: {spec.name}: {operations} operations, {schemas} schemas, {spec.stat().st_size / 1e6:.1f} MB")
    rows = []
    compile_generator()
    with tempfile.TemporaryDirectory(prefix="codegen-bench-") as tmp:
        # A fresh validation cache: the run is cold, as a first generation is.
        env = installed_env({"CODEGEN_CACHE_DIR": str(Path(tmp) / "cache")})
        ours = Path(tmp) / "ours"
        result = measure([str(ROOT / ".venv" / "bin" / "codegen"), "generate", str(spec), "--out", str(ours)], env)
        if result["rc"] != 0:
            sys.exit(f"codegen failed:\n{result['stderr']}")
        imports, ruff = check_ours(ours)
        typed = mypy_strict(ours) if args.mypy else None
        rows.append(("codegen (this project)", result, our_operations(ours)))
        # The same spec again: validation and models come from the cache (codegen/models/cache.py).
        again = Path(tmp) / "again"
        result = measure([str(ROOT / ".venv" / "bin" / "codegen"), "generate", str(spec), "--out", str(again)], env)
        rows.append(("codegen, unchanged spec again", result, our_operations(again)))
        if args.dcg:
            dcg_out = Path(tmp) / "dcg"
            dcg_env = {**env, "CODEGEN_CACHE_DIR": str(Path(tmp) / "dcg-cache")}
            command = [str(ROOT / ".venv" / "bin" / "codegen"), "generate", str(spec), "--out", str(dcg_out)]
            result = measure([*command, "--models", "datamodel-code-generator"], dcg_env)
            rows.append(("codegen --models datamodel-code-g.", result, our_operations(dcg_out)))
        if not args.no_opc:
            opc_out = Path(tmp) / "opc"
            result = measure(
                env=installed_env(),
                command=[
                    str(opc_executable()),
                    "generate",
                    "--path",
                    str(spec),
                    "--output-path",
                    str(opc_out),
                    "--overwrite",
                ],
            )
            rows.append((OPC.replace("==", " "), result, opc_operations(opc_out) if opc_out.exists() else 0))
        rounds = [(rows[0][1], rows[-1][1])] if not args.no_opc else []
        for i in range(1, args.rounds if not args.no_opc else 0):
            # Each round cold again: its own empty cache, its own output folders.
            cold_env = {**env, "CODEGEN_CACHE_DIR": str(Path(tmp) / f"cache-{i}")}
            command = [
                str(ROOT / ".venv" / "bin" / "codegen"),
                "generate",
                str(spec),
                "--out",
                str(Path(tmp) / f"ours-{i}"),
            ]
            ours_result = measure(command, cold_env)
            opc_command = [str(opc_executable()), "generate", "--path", str(spec), "--output-path"]
            opc_result = measure([*opc_command, str(Path(tmp) / f"opc-{i}"), "--overwrite"], installed_env())
            rounds.append((ours_result, opc_result))
        stages = None
        if not args.no_stages:
            cold = {**env, "CODEGEN_CACHE_DIR": str(Path(tmp) / "cold-cache")}
            done = subprocess.run(
                [sys.executable, "-c", _STAGES, str(spec)], capture_output=True, text=True, env=cold, cwd=ROOT
            )
            stages = json.loads(done.stdout) if done.returncode == 0 else None
    print(f"\n{'tool':<34} {'wall':>8} {'CPU':>8} {'peak RSS':>10} {'operations':>12}")
    for name, result, ops in rows:
        print(
            f"{name:<34} {result['seconds']:>7.1f}s {result['cpu']:>7.1f}s {result['peak_mb']:>7.0f} MB"
            f" {ops:>5}/{operations:<6}" + ("" if result["rc"] == 0 else f" (exit {result['rc']})")
        )
    baseline = next((r for n, r, _ in rows if n.startswith("openapi-python-client")), None)
    if baseline is not None:
        ours = rows[0][1]
        wall = float(ours["seconds"]) / float(baseline["seconds"])  # type: ignore[arg-type]
        cpu = float(ours["cpu"]) / float(baseline["cpu"])  # type: ignore[arg-type]
        print(f"ours / openapi-python-client: wall {wall:.2f}x, CPU {cpu:.2f}x (target: wall <= 0.2x)")
    if len(rounds) > 1:
        ratios = [float(a["seconds"]) / float(b["seconds"]) for a, b in rounds]  # type: ignore[arg-type]
        print(f"{len(rounds)} cold rounds, each tool in turn (ours / theirs, seconds):")
        print(
            "  "
            + ", ".join(
                f"{a['seconds']:.1f}/{b['seconds']:.1f} = {r:.2f}x" for (a, b), r in zip(rounds, ratios, strict=True)
            )
        )
        print(f"  median ratio {statistics.median(ratios):.2f}x (target: <= 0.2x)")
    for name, result, _ in rows:
        if result["rc"] != 0:
            print(f"\n{name} failed:\n{result['stderr']}")
    mypy_note = "" if typed is None else f", mypy --strict {'ok' if typed else 'FAILED'}"
    print(f"\nour output: imports {'ok' if imports else 'FAILED'}, ruff {'ok' if ruff else 'FAILED'}{mypy_note}")
    if stages:
        total = sum(stages.values())
        parts = ", ".join(f"{k} {v:.1f}s" for k, v in stages.items())
        print(f"our stages: {parts}; models {100 * stages.get('models', 0) / total:.0f}% of {total:.1f}s")
    for name, result, _ in rows:
        dropped = f"{result['dropped_operations']} operations and {result['dropped_responses']} responses"
        print(f"{name}: dropped {dropped} it could not parse; {result['warnings']} warnings (loose types, naming)")


if __name__ == "__main__":
    main()
