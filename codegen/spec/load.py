"""Load YAML or JSON keeping the line of every node, and bundle references to other files.

Every value is addressed by its JSON pointer; `SourceMap.line(pointer)` answers the line it came
from, so diagnostics can name file, line and pointer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..diagnostics import Diagnostic, SpecError, display_path, join_pointer
from ..naming import numbered, unique_name
from .jsonlines import json_lines, load_json
from .walk import rebuild, walk


@dataclass
class SourceMap:
    """Line numbers (1-based) of every node of one document, by JSON pointer."""

    file: str
    lines: dict[str, int] = field(default_factory=dict)
    # JSON documents compute their lines only when a diagnostic first asks for one.
    compute: Callable[[], dict[str, int]] | None = None
    # Keys given twice in one mapping: a warning each, and the last value is used, as JSON and
    # YAML readers commonly do.
    duplicates: list[Diagnostic] = field(default_factory=list)

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
    # pointer of a bundled part -> (source map of its file, its pointer there): lines inside it
    foreign_maps: dict[str, tuple[SourceMap, str]] = field(default_factory=dict)
    load_warnings: list[Diagnostic] = field(default_factory=list)  # the duplicate keys of every file read

    def where(self, pointer: str) -> tuple[str, int | None]:
        for prefix, (source, fragment) in self.foreign_maps.items():
            if pointer == prefix or pointer.startswith(prefix + "/"):
                return source.file, source.line(fragment + pointer[len(prefix) :])
        for prefix, origin in self.foreign.items():
            if pointer == prefix or pointer.startswith(prefix + "/"):
                return origin
        return self.source.file, self.source.line(pointer)

    def diagnostic(self, pointer: str, message: str, severity: str = "error") -> Diagnostic:
        file, line = self.where(pointer)
        return Diagnostic(file, line, pointer, message, severity)


def parse_document(text: str, file: str) -> tuple[Any, SourceMap]:
    from .yaml_load import parse_yaml  # PyYAML loads only for a YAML document

    source = SourceMap(file)
    if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
        # JSON: the C parser, with lines computed on demand (YAML parsing of a 10 MB spec takes minutes).
        body = text.lstrip("\ufeff")
        try:
            data = load_json(body, file, source.duplicates)
        except SpecError as json_error:
            if not json_error.diagnostics[0].message.startswith("not valid JSON"):
                raise
            try:  # YAML flow style also starts with a brace
                return parse_yaml(text, file, source)
            except SpecError:
                raise json_error from None
        if "\n" in body.rstrip():
            source.compute = lambda: json_lines(body, file, data)
        else:  # a minified document: every node is on line 1, no pass over the text needed
            source.lines[""] = 1
        return data, source
    return parse_yaml(text, file, source)


def load_spec(path: Path) -> LoadedSpec:
    file = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([Diagnostic(file, None, "", f"cannot read the spec: {exc}")]) from None
    data, source = parse_document(text, file)
    if not isinstance(data, dict):
        raise SpecError([Diagnostic(file, 1, "", "the document must be a mapping (an OpenAPI object)")])
    spec = LoadedSpec(path=path, data=data, source=source, load_warnings=source.duplicates)
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


# Where a bundled part goes when its own location does not say (e.g. a bare file of schemas).
_SECTION_BY_CONTEXT = (
    ("/parameters/", "parameters"),
    ("/responses/", "responses"),
    ("/requestBody", "requestBodies"),
    ("/headers/", "headers"),
    ("/examples/", "examples"),
)


def _section_for(fragment: str, pointer: str) -> str:
    parts = fragment.split("/")
    if len(parts) >= 4 and parts[1] == "components" and parts[2]:
        return unquote(parts[2])
    tail = pointer.rsplit("/", 2)
    context = "/" + "/".join(tail[1:]) if len(tail) > 2 else pointer
    for marker, section in _SECTION_BY_CONTEXT:
        if marker in context + "/":
            return section
    return "schemas"


def _bundle_external_refs(spec: LoadedSpec) -> None:
    """Copy what other files define into components and point refs at the copies.

    Downstream stages (validation, lowering, model generation, mock servers) then see one
    self-contained document. Inside a copied part, "#..." refers to the part's own file.
    """
    if not _has_external(spec.data):
        return
    main = spec.path.resolve()
    cache: dict[Path, tuple[Any, SourceMap]] = {main: (spec.data, spec.source)}
    bundled: dict[tuple[Path, str], str] = {}  # (file, fragment) -> local ref
    added: dict[str, dict[str, Any]] = {}  # section -> name -> copied part

    def load_other(target: Path, ref_pointer: str) -> tuple[Any, SourceMap]:
        if target not in cache:
            try:
                text = target.read_text(encoding="utf-8")
            except OSError:
                raise SpecError(
                    [spec.diagnostic(ref_pointer, f"unresolvable $ref: file {target.name} not found")]
                ) from None
            cache[target] = parse_document(text, display_path(target))
            spec.load_warnings.extend(cache[target][1].duplicates)
        return cache[target]

    def bundle(ref: str, pointer: str, base: Path) -> str:
        if "://" in ref.partition("#")[0]:
            raise SpecError(
                [
                    spec.diagnostic(
                        join_pointer(pointer, "$ref"),
                        f"remote $ref {ref!r} is not supported; save the document and refer to the file",
                    )
                ]
            )
        file_part, _, fragment = ref.partition("#")
        target = (base.parent / file_part).resolve() if file_part else base
        key = (target, fragment)
        if key not in bundled:
            data, source = load_other(target, join_pointer(pointer, "$ref"))
            try:
                part = resolve_pointer(data, fragment)  # visit() below copies it
            except KeyError:
                raise SpecError(
                    [spec.diagnostic(join_pointer(pointer, "$ref"), f"unresolvable $ref {ref!r}")]
                ) from None
            section = _section_for(fragment, pointer)
            existing = (spec.data.get("components") or {}).get(section) or {}
            taken = {**existing, **added.setdefault(section, {})}
            name = _free_name(taken, unquote(fragment.rsplit("/", 1)[-1]) or target.stem)
            local = join_pointer("/components", section, name)
            bundled[key] = "#" + local
            added[section][name] = {}
            spec.foreign_maps[local] = (source, fragment)
            added[section][name] = visit(part, local, target)
        return bundled[key]

    def visit(node: Any, pointer: str, base: Path) -> Any:
        def point_home(part: dict[str, Any], _context: str, where: str | None) -> dict[str, Any]:
            ref = part.get("$ref")
            if isinstance(ref, str) and (not ref.startswith("#") or base != main):
                return {**{k: v for k, v in part.items() if k != "$ref"}, "$ref": bundle(ref, where or "", base)}
            return dict(part)

        return rebuild(node, point_home, pointer=pointer)

    spec.data.update(visit(spec.data, "", main))
    components = spec.data.setdefault("components", {})
    for section, parts in added.items():
        components.setdefault(section, {}).update(parts)


def _has_external(node: Any) -> bool:
    return any(isinstance(n.get("$ref"), str) and not n["$ref"].startswith("#") for n in walk(node))


def _free_name(taken: dict[str, Any], wanted: str) -> str:
    return unique_name(wanted, taken, numbered)
