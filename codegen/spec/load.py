"""Load YAML or JSON keeping the line of every node, and bundle references to other files.

Every value is addressed by its JSON pointer; `SourceMap.line(pointer)` answers the line it came
from, so diagnostics can name file, line and pointer.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import yaml

from ..diagnostics import Diagnostic, SpecError, display_path, join_pointer
from .jsonlines import json_lines, load_json


@dataclass
class SourceMap:
    """Line numbers (1-based) of every node of one document, by JSON pointer."""

    file: str
    lines: dict[str, int] = field(default_factory=dict)
    # JSON documents compute their lines only when a diagnostic first asks for one.
    compute: Callable[[], dict[str, int]] | None = None

    def line(self, pointer: str) -> int | None:
        if self.compute is not None:
            self.lines.update(self.compute())
            self.compute = None
        while True:
            if pointer in self.lines:
                return self.lines[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


@dataclass
class LoadedSpec:
    path: Path
    data: dict[str, Any]
    source: SourceMap
    # pointer in the bundled document -> (file, line) where the bundled part came from
    foreign: dict[str, tuple[str, int | None]] = field(default_factory=dict)

    def where(self, pointer: str) -> tuple[str, int | None]:
        for prefix, origin in self.foreign.items():
            if pointer == prefix or pointer.startswith(prefix + "/"):
                return origin
        return self.source.file, self.source.line(pointer)

    def diagnostic(self, pointer: str, message: str, severity: str = "error") -> Diagnostic:
        file, line = self.where(pointer)
        return Diagnostic(file, line, pointer, message, severity)


# libyaml's parser when PyYAML has it: the pure-Python one is several times slower on big specs.
_YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_YamlLoader):  # type: ignore[misc]
    """SafeLoader that refuses duplicate keys (a silent overwrite hides spec mistakes)."""


def _construct(node: yaml.Node, pointer: str, lines: dict[str, int], file: str, loader: _Loader) -> Any:
    lines.setdefault(pointer, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        loader.flatten_mapping(node)  # resolve YAML merge keys (<<)
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node)
            key = str(key) if not isinstance(key, str) else key
            child = join_pointer(pointer, key)
            lines.setdefault(child, key_node.start_mark.line + 1)
            if key in result:
                raise SpecError(
                    [Diagnostic(file, key_node.start_mark.line + 1, child, f"duplicate key {key!r}")]
                )
            result[key] = _construct(value_node, child, lines, file, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, join_pointer(pointer, i), lines, file, loader) for i, item in enumerate(node.value)]
    value = loader.construct_object(node)
    if hasattr(value, "isoformat"):  # YAML timestamps: keep the text the author wrote
        return str(node.value)
    return value


def parse_document(text: str, file: str) -> tuple[Any, SourceMap]:
    source = SourceMap(file)
    if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
        # JSON: the C parser, with lines computed on demand (YAML parsing of a 10 MB spec takes minutes).
        body = text.lstrip("\ufeff")
        try:
            data = load_json(body, file)
        except SpecError as json_error:
            if not json_error.diagnostics[0].message.startswith("not valid JSON"):
                raise
            try:  # YAML flow style also starts with a brace
                return _parse_yaml(text, file, source)
            except SpecError:
                raise json_error from None
        source.compute = lambda: json_lines(body, file)
        return data, source
    return _parse_yaml(text, file, source)


def _parse_yaml(text: str, file: str, source: SourceMap) -> tuple[Any, SourceMap]:
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or str(exc)
        raise SpecError([Diagnostic(file, line, "", f"not valid YAML or JSON: {problem}")]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Diagnostic(file, None, "", f"not valid YAML or JSON: {exc}")]) from None
    if node is None:
        raise SpecError([Diagnostic(file, 1, "", "the document is empty")])
    return _construct(node, "", source.lines, file, _Loader("")), source


def load_spec(path: Path) -> LoadedSpec:
    file = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([Diagnostic(file, None, "", f"cannot read the spec: {exc}")]) from None
    data, source = parse_document(text, file)
    if not isinstance(data, dict):
        raise SpecError([Diagnostic(file, 1, "", "the document must be a mapping (an OpenAPI object)")])
    spec = LoadedSpec(path=path, data=data, source=source)
    _bundle_external_refs(spec)
    return spec


def resolve_pointer(data: Any, pointer: str) -> Any:
    """Follow a JSON pointer ('' or '/a/b'); KeyError when it leads nowhere."""
    node = data
    if not pointer:
        return node
    for raw in pointer.lstrip("/").split("/"):
        token = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(pointer)
    return node


def _bundle_external_refs(spec: LoadedSpec) -> None:
    """Copy schemas referenced from other files into components.schemas and point refs at them.

    Downstream stages (validation, lowering, model generation, mock servers) then see one
    self-contained document.
    """
    cache: dict[Path, tuple[Any, SourceMap]] = {}
    bundled: dict[tuple[Path, str], str] = {}
    schemas = spec.data.setdefault("components", {}).setdefault("schemas", {}) if _has_external(spec.data) else None
    if schemas is None:
        return

    def load_other(target: Path, ref_pointer: str) -> tuple[Any, SourceMap]:
        if target not in cache:
            try:
                text = target.read_text(encoding="utf-8")
            except OSError:
                raise SpecError([spec.diagnostic(ref_pointer, f"unresolvable $ref: file {target.name} not found")]) from None
            cache[target] = parse_document(text, display_path(target))
        return cache[target]

    def visit(node: Any, pointer: str, base: Path) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                file_part, _, fragment = ref.partition("#")
                target = (base.parent / file_part).resolve()
                key = (target, fragment)
                if key not in bundled:
                    data, source = load_other(target, pointer)
                    try:
                        part = copy.deepcopy(resolve_pointer(data, fragment))
                    except KeyError:
                        raise SpecError(
                            [spec.diagnostic(join_pointer(pointer, "$ref"), f"unresolvable $ref {ref!r}")]
                        ) from None
                    name = _free_name(schemas, fragment.rsplit("/", 1)[-1] or target.stem)
                    bundled[key] = name
                    schemas[name] = {}
                    local = join_pointer("/components/schemas", name)
                    spec.foreign[local] = (source.file, source.line(fragment))
                    schemas[name] = visit(part, local, target)
                return {**{k: v for k, v in node.items() if k != "$ref"}, "$ref": f"#/components/schemas/{bundled[key]}"}
            return {k: visit(v, join_pointer(pointer, k), base) for k, v in node.items()}
        if isinstance(node, list):
            return [visit(v, join_pointer(pointer, i), base) for i, v in enumerate(node)]
        return node

    spec.data.update(visit(spec.data, "", spec.path.resolve()))


def _has_external(node: Any) -> bool:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            return True
        return any(_has_external(v) for v in node.values())
    if isinstance(node, list):
        return any(_has_external(v) for v in node)
    return False


def _free_name(taken: dict[str, Any], wanted: str) -> str:
    name, n = wanted, 2
    while name in taken:
        name, n = f"{wanted}{n}", n + 1
    return name
