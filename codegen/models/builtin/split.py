"""One large models module as a package of small ones that load on first use.

A spec with hundreds of schemas gives thousands of classes, and building a pydantic class costs
about half a millisecond: one module holding them all makes the first call of any method pay for
every model of the API (seconds on Stripe's spec). Split, a call pays for the models it touches.

The classes are grouped so that the imports between groups never form a cycle: classes that refer
to each other (a reference cycle, strongly connected in the graph of names) share a module, and a
class that only one group uses joins that group, unless a resource or params module names it
itself (it is then imported on its own, without its user). `models/__init__.py` maps every name to
its module and imports it on first access; type checkers read `models/__init__.pyi`, which imports
every name from its module, so `from <package>.models import X` is checked as before and a
misspelt name is an error (a module `__getattr__` would make it Any).
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Iterable
from types import CodeType

from ...naming import numbered_after_underscore, snake, unique_name

_INIT_DOC = (
    '"""The API\'s models. Each loads with its module on first use, so a call pays only for the\n'
    'models it touches; `from <package>.models import X` works for every name below."""'
)


class _Definition:
    def __init__(self, name: str, text: str, names: set[str]) -> None:
        self.name = name
        self.text = text
        self.names = names  # every name the statement reads
        self.deps: set[str] = set()

    def quoted(self, later: set[str]) -> str:
        """The statement's source, its field annotations that name a class not yet defined when
        the class statement runs (`later`) quoted: the module evaluates annotations at once."""
        if not later:
            return self.text
        node = ast.parse(self.text).body[0]
        if not isinstance(node, ast.ClassDef):
            return self.text
        spans = [
            stmt.annotation
            for stmt in node.body
            if isinstance(stmt, ast.AnnAssign)
            and any(isinstance(n, ast.Name) and n.id in later for n in ast.walk(stmt.annotation))
        ]
        raw = [line.encode("utf-8") for line in self.text.splitlines(keepends=True)]  # columns count bytes
        for annotation in reversed(spans):
            first, last = annotation.lineno - 1, (annotation.end_lineno or annotation.lineno) - 1
            quoted = repr(ast.unparse(annotation)).encode("utf-8")
            end_col = annotation.end_col_offset or 0
            raw[first : last + 1] = [raw[first][: annotation.col_offset] + quoted + raw[last][end_col:]]
        return "".join(line.decode("utf-8") for line in raw)


_CLASS = re.compile(r"class (\w+)\b")
_ASSIGNED = re.compile(r"(\w+)\s*(?::[^=]*)?=")
_REBUILD = re.compile(r"\w+\.model_rebuild\(\)\s*")


def split_models(code: str, keep_alone: Iterable[str] = ()) -> dict[str, str] | None:
    """{path under the package: text} for a models/ package equal to `code`; None when the module
    holds a statement this does not know how to place (then it stays one module).

    Statements start at column 0, as in the builtin emitter's output; each is compiled on its own,
    which also proves the cut (a piece cut inside a statement does not compile), and the names it
    reads come from its bytecode: a syntax tree of thousands of classes would cost seconds and
    hundreds of megabytes."""
    header, statements = _statements(code)
    imports: list[tuple[str, set[str]]] = []
    definitions: dict[str, _Definition] = {}
    for number, text in enumerate(statements):
        if text.startswith(("from ", "import ")):
            node = ast.parse(text).body[0]
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                continue  # annotations are evaluated where they stand, which saves pydantic a compile
            if not isinstance(node, ast.Import | ast.ImportFrom):
                return None
            imports.append((ast.unparse(_one_level_down(node)), {a.asname or a.name.split(".")[0] for a in node.names}))
            continue
        if (number == 0 and text.startswith(('"', "'"))) or _REBUILD.fullmatch(text):
            # The module docstring; a class naming one defined after it (a cycle) is completed by
            # pydantic on first use, while rebuilding it here would build its validator at import.
            continue
        found = _CLASS.match(text) or _ASSIGNED.match(text)
        if found is None or found.group(1) in definitions:
            return None
        name = found.group(1)
        try:
            compiled = compile(text, "<models>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return None
        # The statement stores its own name; it reads it only when a field refers to the class.
        names = set(compiled.co_names) - {name}
        for const in compiled.co_consts:
            if isinstance(const, CodeType):
                names |= _names(const)
        definitions[name] = _Definition(name, text, names)
    if not definitions:
        return None
    for made in definitions.values():
        made.deps = {n for n in made.names if n in definitions and n != made.name}
    order = {name: i for i, name in enumerate(definitions)}
    groups = _groups(definitions, set(keep_alone))
    modules = _module_names(groups)
    owner = {name: module for module, members in zip(modules, groups, strict=True) for name in members}
    files: dict[str, str] = {}
    for module, members in zip(modules, groups, strict=True):
        members = sorted(members, key=order.__getitem__)
        files[f"models/{module}.py"] = _module_text(header, imports, [definitions[m] for m in members], owner, module)
    files.update(_init_texts(header, owner, order))
    return files


def _statements(code: str) -> tuple[str, list[str]]:
    """(the leading comment lines, the top-level statements' texts)."""
    lines = code.splitlines(keepends=True)
    at = 0
    while at < len(lines) and lines[at].startswith("#"):
        at += 1
    header = "".join(lines[:at])
    statements: list[list[str]] = []
    for line in lines[at:]:
        if line[:1] not in ("", " ", "\t", "\n", "\r", "#", ")", "]", "}"):
            statements.append([line])
        elif statements:
            statements[-1].append(line)
    return header, ["".join(s).rstrip() + "\n" for s in statements]


def _names(code: CodeType) -> set[str]:
    """Every global name the code (and the class bodies and functions in it) reads."""
    found = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, CodeType):
            found |= _names(const)
    return found


def _one_level_down(node: ast.Import | ast.ImportFrom) -> ast.stmt:
    if isinstance(node, ast.ImportFrom) and node.level:
        node = copy.copy(node)
        node.level += 1
    return node


def _groups(definitions: dict[str, _Definition], keep_alone: set[str]) -> list[list[str]]:
    """Cycles together, then every component that one other component alone uses merged into
    it (which keeps the groups' imports acyclic: only a group's root is used from outside)."""
    components = _strongly_connected(definitions)
    component_of = {name: i for i, members in enumerate(components) for name in members}
    users: list[set[int]] = [set() for _ in components]
    for i, members in enumerate(components):
        for name in members:
            for dep in definitions[name].deps:
                if component_of[dep] != i:
                    users[component_of[dep]].add(i)
    group_of: list[int] = list(range(len(components)))
    # Tarjan's order puts a component after all it depends on: users come first from the end.
    for i in reversed(range(len(components))):
        if len(users[i]) == 1 and not keep_alone.intersection(components[i]):
            group_of[i] = group_of[next(iter(users[i]))]
    merged: dict[int, list[str]] = {}
    for i in range(len(components)):
        merged.setdefault(group_of[i], []).extend(components[i])
    return list(merged.values())


def _strongly_connected(definitions: dict[str, _Definition]) -> list[list[str]]:
    """Tarjan's algorithm without recursion; each component after those it depends on."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in definitions:
        if root in index:
            continue
        work = [(root, iter(sorted(definitions[root].deps)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            name, deps = work[-1]
            dep = next(deps, None)
            if dep is not None:
                if dep not in index:
                    index[dep] = low[dep] = len(index)
                    stack.append(dep)
                    on_stack.add(dep)
                    work.append((dep, iter(sorted(definitions[dep].deps))))
                elif dep in on_stack:
                    low[name] = min(low[name], index[dep])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[name])
            if low[name] == index[name]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == name:
                        break
                out.append(component)
    return out


def _module_names(groups: list[list[str]]) -> list[str]:
    """`_` + the snake_case name of the group's first class; unique ignoring case (file systems)."""
    taken: set[str] = set()
    out = []
    for members in groups:
        base = "_" + snake(min(members, key=lambda n: (len(n), n)))
        name = unique_name(base, _CaseFolded(taken), numbered_after_underscore)
        taken.add(name.lower())
        out.append(name)
    return out


def _module_text(
    header: str,
    imports: list[tuple[str, set[str]]],
    members: list[_Definition],
    owner: dict[str, str],
    module: str,
) -> str:
    read = set().union(*(m.names for m in members))
    head = [text for text, names in imports if names & read]
    foreign: dict[str, list[str]] = {}
    for name in sorted({d for m in members for d in m.deps if owner[d] != module}):
        foreign.setdefault(owner[name], []).append(name)
    head += [f"from .{other} import {', '.join(names)}" for other, names in sorted(foreign.items())]
    position = {m.name: i for i, m in enumerate(members)}
    texts = []
    for i, m in enumerate(members):
        ahead = [n for n in (*m.deps, m.name) if position.get(n, -1) > i or n == m.name and n in m.names]
        texts.append(m.quoted(set(ahead)).rstrip("\n") + "\n")
    body = "\n\n".join(texts)
    return header + "\n".join(head) + "\n\n\n" + body


def _init_texts(header: str, owner: dict[str, str], order: dict[str, int]) -> dict[str, str]:
    """`__init__.py`, a small table read on first access, and `__init__.pyi`, the same names as
    plain imports for type checkers (which read a stub before the module)."""
    by_module: dict[str, list[str]] = {}
    for name in sorted(owner, key=order.__getitem__):
        by_module.setdefault(owner[name], []).append(name)
    modules = sorted(by_module)
    table = "".join(f"    {m!r}: {' '.join(by_module[m])!r},\n" for m in modules)
    runtime = [
        header + _INIT_DOC,
        "",
        "from __future__ import annotations",
        "",
        "import importlib",
        "",
        "# The names each module defines.",
        "_NAMES = {\n" + table + "}",
        "_MODULE_OF: dict[str, str] = {}",
        "",
        "",
        "# A double underscore: a model module's name (`_` and snake case) never shadows it.",
        "def __index() -> dict[str, str]:",
        "    if not _MODULE_OF:",
        "        _MODULE_OF.update((n, module) for module, names in _NAMES.items() for n in names.split())",
        "    return _MODULE_OF",
        "",
        "",
        "def __getattr__(name: str) -> object:",
        '    if name == "__all__":',
        "        return sorted(__index())",
        "    module = __index().get(name)",
        "    if module is None:",
        '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")',
        '    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)',
        "    globals()[name] = value  # later look-ups skip this function",
        "    return value",
        "",
        "",
        "def __dir__() -> list[str]:",
        "    return sorted({*globals(), *__index()})",
    ]
    stub = [
        header.rstrip("\n"),
        *(f"from .{m} import {', '.join(f'{n} as {n}' for n in by_module[m])}" for m in modules),
    ]
    return {"models/__init__.py": "\n".join(runtime) + "\n", "models/__init__.pyi": "\n".join(stub) + "\n"}


class _CaseFolded:
    """Names taken, compared without case (file systems that ignore it)."""

    def __init__(self, lowered: set[str]) -> None:
        self.lowered = lowered

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self.lowered
