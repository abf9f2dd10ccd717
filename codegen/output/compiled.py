"""Every generated module must compile and import at module level only the standard library and
the package's dependencies. compile(), unlike ast.parse, also rejects duplicate arguments.

A large package is checked in a process of its own, beside the stages that follow (compiling
GitHub's 12 MB of modules takes 0.8 s of one core). This module is that process's program too, so
it imports nothing but the standard library.
"""

from __future__ import annotations

import dis
import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from types import CodeType

# What generated modules may import: the standard library and the package's dependencies
# (templates/package/pyproject.toml.j2; redis is the optional extra).
ALLOWED_IMPORTS = frozenset(sys.stdlib_module_names) | {"httpx", "pydantic", "pydantic_core", "redis"}
# Below this many characters, compiling takes less time than starting a process.
_IN_PROCESS_UP_TO = 1 << 20

Problem = tuple[str, "int | None", str]  # module, line, message


def problems(modules: dict[str, str], package: str) -> list[Problem]:
    found: list[Problem] = []
    allowed = ALLOWED_IMPORTS | {package}
    for rel, text in modules.items():
        try:
            # Straight from the text: building the syntax tree in Python objects would cost as much
            # again (seconds on a large spec), and the imports can be read from the bytecode.
            # optimize=2 leaves out docstrings (a tenth of the time); no generated code asserts.
            code = compile(text, rel, "exec", dont_inherit=True, optimize=2)
        except (SyntaxError, ValueError) as exc:
            found.append((rel, getattr(exc, "lineno", None), f"does not compile: {getattr(exc, 'msg', exc)}"))
            continue
        foreign = sorted(_absolute_imports(code) - allowed)
        if foreign:
            found.append((rel, None, f"imports {', '.join(foreign)}, which the package does not need"))
    return found


class PendingCheck:
    """The problems of the modules, found in processes of their own when there are many: one, or
    `processes` when nothing else is left to run beside them (the end of a run)."""

    def __init__(
        self,
        modules: dict[str, str],
        package: str,
        processes: int = 1,
        started: Workers | None = None,
        *,
        here: bool = False,
    ) -> None:
        """`started`: processes already running and waiting for modules, used before new ones.
        `here`: this process checks one of the parts (the only one with `processes` 1) itself,
        by check_here() or result(): it would only wait for another to."""
        self._package = package
        large = _size(modules) > _IN_PROCESS_UP_TO
        self._parts = _parts(modules, processes) if large else [modules]
        away = len(self._parts) - 1 if here or not large else len(self._parts)
        waiting = started.take(away) if started is not None else []
        waiting += [_spawn() for _ in range(away - len(waiting))]
        self._processes: list[subprocess.Popen[bytes] | None] = [
            _send(process, part, package) for process, part in zip(waiting, self._parts, strict=False)
        ] + [None] * (len(self._parts) - away)
        self._found: list[list[Problem] | None] = [None] * len(self._parts)

    def check_here(self) -> None:
        """The parts no other process checks, checked now."""
        for i, (part, process) in enumerate(zip(self._parts, self._processes, strict=True)):
            if process is None and self._found[i] is None:
                self._found[i] = problems(part, self._package)

    def result(self) -> list[Problem]:
        self.check_here()
        found: list[Problem] = []
        for i, (part, process) in enumerate(zip(self._parts, self._processes, strict=True)):
            answer = self._found[i] if process is None else _finish(process)
            # In this process where the other failed.
            found += answer if answer is not None else problems(part, self._package)
        self._processes = [None] * len(self._parts)
        self._found = [[] for _ in self._parts]
        return found

    def cancel(self) -> None:
        for process in self._processes:
            _stop(process)
        self._processes = [None] * len(self._parts)
        self._found = [[] for _ in self._parts]


def _size(modules: dict[str, str]) -> int:
    return sum(len(text) for text in modules.values())


def _parts(modules: dict[str, str], count: int) -> list[dict[str, str]]:
    """The modules cut into `count` runs of about equal size, in their order."""
    if count <= 1:
        return [modules]
    share = _size(modules) / count
    parts: list[dict[str, str]] = [{}]
    filled = 0
    for rel, text in modules.items():
        if filled >= share * len(parts) and len(parts) < count:
            parts.append({})
        parts[-1][rel] = text
        filled += len(text)
    return parts


@cache
def _program() -> str:
    return Path(__file__).read_text(encoding="utf-8")


class Workers:
    """Check processes started ahead of their modules: an interpreter takes 40 ms to start, and
    a process that is not yet reading holds up the write to its pipe, so at the end of a run each
    new one would come after the others."""

    def __init__(self, count: int) -> None:
        self._waiting = [_spawn() for _ in range(count)]

    def top_up(self, count: int) -> None:
        self._waiting += [_spawn() for _ in range(count - len(self._waiting))]

    def take(self, count: int) -> list[subprocess.Popen[bytes] | None]:
        taken, self._waiting = self._waiting[:count], self._waiting[count:]
        return taken

    def close(self) -> None:
        for process in self.take(len(self._waiting)):
            _stop(process)


def _spawn() -> subprocess.Popen[bytes] | None:
    try:
        return subprocess.Popen(
            [sys.executable, "-I", "-c", _program()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except (OSError, ValueError):
        return None


def _send(
    process: subprocess.Popen[bytes] | None, modules: dict[str, str], package: str
) -> subprocess.Popen[bytes] | None:
    if process is None:
        return None
    try:
        assert process.stdin is not None
        process.stdin.write(json.dumps({"package": package, "modules": modules}).encode())
        process.stdin.close()
    except (OSError, ValueError):
        _stop(process)
        return None
    return process


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None:
        process.kill()
        process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()


def _finish(process: subprocess.Popen[bytes]) -> list[Problem] | None:
    assert process.stdout is not None
    try:
        output = process.stdout.read()
        if process.wait() != 0:
            return None
        return [(rel, line, message) for rel, line, message in json.loads(output)]
    except (OSError, ValueError, TypeError):
        return None


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


if __name__ == "__main__":
    request = json.loads(sys.stdin.buffer.read())
    sys.stdout.write(json.dumps(problems(request["modules"], request["package"])))
