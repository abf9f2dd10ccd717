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
from .jsonlines import LaidOutLines, OtherLayout, json_lines, load_json
from .structure import HTTP_METHODS
from .walk import NAME_MAPS, Finished, rebuild, walk


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

    # A JSON document laid out one node a line answers a pointer by searching its text; only
    # another layout needs every line computed.
    locate: Callable[[str], int] | None = None
    # Every "$ref" string the JSON parser met, data in examples too (None for YAML).
    refs_met: frozenset[str] | None = None
    # Every object the JSON parser met holding one of jsonlines.NOTED_KEYS (None for YAML).
    noted: list[dict[str, Any]] | None = None

    def line(self, pointer: str) -> int | None:
        if self.locate is not None:
            try:
                return self.locate(pointer)
            except OtherLayout:
                self.locate = None
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
    # Every distinct "$ref" string of a document that refers to no other file (None after bundling),
    # maybe with some that are data in examples: known from looking for other files, so validation
    # need not walk the document to check them (it walks it to say where a broken one is).
    refs: frozenset[str] | None = None
    # Every object of the document holding one of jsonlines.NOTED_KEYS, maybe with some that are
    # data in examples; None where not known (a YAML document, or one bundled from other files).
    noted: list[dict[str, Any]] | None = None
    # Whether every node of data is an object of its own: a JSON document's are, a YAML alias
    # puts one node in two places, and so may bundling.
    distinct_nodes: bool = False

    def where(self, pointer: str) -> tuple[str, int | None]:
        # The longest prefix: a part copied in place may itself hold parts of another file.
        inside = [p for p in self.foreign_maps if pointer == p or pointer.startswith(p + "/")]
        if inside:
            prefix = max(inside, key=len)
            source, fragment = self.foreign_maps[prefix]
            return source.file, source.line(fragment + pointer[len(prefix) :])
        for prefix, origin in self.foreign.items():
            if pointer == prefix or pointer.startswith(prefix + "/"):
                return origin
        return self.source.file, self.source.line(pointer)

    def diagnostic(self, pointer: str, message: str, severity: str = "error") -> Diagnostic:
        file, line = self.where(pointer)
        return Diagnostic(file, line, pointer, message, severity)


def parse_document(text: str, file: str) -> tuple[Any, SourceMap]:
    source = SourceMap(file)
    if text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
        # JSON: the C parser, with lines computed on demand (YAML parsing of a 10 MB spec takes minutes).
        body = text.lstrip("\ufeff")
        refs: set[str] = set()
        noted: list[dict[str, Any]] = []
        try:
            data = load_json(body, file, source.duplicates, refs, noted)
        except SpecError as json_error:
            if not json_error.diagnostics[0].message.startswith("not valid JSON"):
                raise
            try:  # YAML flow style also starts with a brace
                return _parse_yaml(text, file, source)
            except SpecError:
                raise json_error from None
        source.refs_met, source.noted = frozenset(refs), noted
        if "\n" in body.rstrip():
            source.compute = lambda: json_lines(body, file, data)
            try:
                source.locate = LaidOutLines(body, data).line
            except OtherLayout:
                pass
        else:  # a minified document: every node is on line 1, no pass over the text needed
            source.lines[""] = 1
        return data, source
    return _parse_yaml(text, file, source)


def _parse_yaml(text: str, file: str, source: SourceMap) -> tuple[Any, SourceMap]:
    from .yaml_load import parse_yaml  # PyYAML loads only for a YAML document (30 ms)

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


def ref_strings(data: Any) -> frozenset[str]:
    """Every distinct "$ref" string of the document."""
    return frozenset(n["$ref"] for n in walk(data) if isinstance(n.get("$ref"), str))


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


def _inlined_here(pointer: str) -> bool:
    """Whether a part another file holds is copied in place instead of into components: path
    items and operations have no components section (3.0 has no pathItems; an operation may not
    be a $ref at all, yet real documents split them into files), nor do the document's info,
    tags and servers (a description kept in a Markdown-like file of its own), nor extensions
    (code samples kept in files: no stage reads them, and as components they would become models)."""
    parts = pointer.split("/")
    if any(p.startswith("x-") and parts[i - 1] not in NAME_MAPS for i, p in enumerate(parts) if i > 0):
        return True
    if len(parts) >= 2 and parts[1] in ("info", "tags", "servers", "externalDocs"):
        return True
    if len(parts) >= 3 and parts[-2] == "callbacks":
        return True
    if len(parts) >= 4 and parts[-3] == "callbacks" and parts[-1] in HTTP_METHODS:
        return True
    if len(parts) < 3 or parts[1] not in ("paths", "webhooks"):
        return False
    return len(parts) == 3 or (len(parts) == 4 and parts[3] in HTTP_METHODS)


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
    refs = spec.source.refs_met
    if refs is None or any(not ref.startswith("#") for ref in refs):
        refs = ref_strings(spec.data)  # those of the document itself, not of its examples
    if any(not ref.startswith("#") for ref in refs):
        _Bundler(spec).run()
    else:
        spec.refs, spec.noted = refs, spec.source.noted
        spec.distinct_nodes = spec.source.refs_met is not None


class _Bundler:
    def __init__(self, spec: LoadedSpec) -> None:
        self.spec = spec
        self.main = spec.path.resolve()
        self.cache: dict[Path, tuple[Any, SourceMap]] = {self.main: (spec.data, spec.source)}
        self.bundled: dict[tuple[Path, str], str] = {}  # (file, fragment) -> local ref
        self.added: dict[str, dict[str, Any]] = {}  # section -> name -> copied part
        self.inlining: list[tuple[Path, str]] = []  # parts being copied in place, against cycles

    def run(self) -> None:
        self.spec.data.update(self.visit(self.spec.data, "", self.main))
        components = self.spec.data.setdefault("components", {})
        for section, parts in self.added.items():
            components.setdefault(section, {}).update(parts)

    def visit(self, node: Any, pointer: str, base: Path, key: str = "") -> Any:
        """A copy of node (at pointer, in file base) whose refs to other files point home."""

        def point_home(part: dict[str, Any], context: str, where: str | None) -> dict[str, Any] | Finished:
            where = where or ""
            ref = part.get("$ref")
            if self._foreign(ref, base):
                siblings = {k: v for k, v in part.items() if k != "$ref"}
                if not _inlined_here(where):
                    return {**siblings, "$ref": self.bundle(str(ref), where, base)}
                copied = self.inline(str(ref), where, base)
                if not isinstance(copied, dict):
                    return Finished(copied)
                return Finished({**copied, **self.visit(siblings, where, base, context)})
            names = [
                k
                for k, v in part.items()
                if k in NAME_MAPS and isinstance(v, dict) and self._foreign(v.get("$ref"), base)
            ]
            if not names:
                return dict(part)
            # A mapping of names given as a $ref (`properties: {$ref: props.yaml}`): copied in place.
            rest = self.visit({k: v for k, v in part.items() if k not in names}, where, base, context)
            return Finished(
                {
                    k: self.inline(v["$ref"], join_pointer(where, k), base, k) if k in names else rest[k]
                    for k, v in part.items()
                }
            )

        return rebuild(node, point_home, key, pointer)

    def _foreign(self, ref: Any, base: Path) -> bool:
        return isinstance(ref, str) and (not ref.startswith("#") or base != self.main)

    def bundle(self, ref: str, pointer: str, base: Path) -> str:
        target, fragment = self._target(ref, pointer, base)
        key = (target, fragment)
        if key not in self.bundled:  # a part many refs name is read and copied once
            part, source = self._part(ref, pointer, target, fragment)
            section = _section_for(fragment, pointer)
            existing = (self.spec.data.get("components") or {}).get(section) or {}
            taken = {**existing, **self.added.setdefault(section, {})}
            name = _free_name(taken, unquote(fragment.rsplit("/", 1)[-1]) or target.stem)
            local = join_pointer("/components", section, name)
            self.bundled[key] = "#" + local
            self.added[section][name] = {}
            self.spec.foreign_maps[local] = (source, fragment)
            self.added[section][name] = self.visit(part, local, target)
        return self.bundled[key]

    def inline(self, ref: str, pointer: str, base: Path, key: str = "") -> Any:
        target, fragment = self._target(ref, pointer, base)
        if (target, fragment) in self.inlining:
            raise SpecError(
                [self.spec.diagnostic(join_pointer(pointer, "$ref"), f"$ref {ref!r} refers back to itself")]
            )
        part, source = self._part(ref, pointer, target, fragment)
        self.spec.foreign_maps[pointer] = (source, fragment)
        self.inlining.append((target, fragment))
        try:
            return self.visit(part, pointer, target, key)
        finally:
            self.inlining.pop()

    def _target(self, ref: str, pointer: str, base: Path) -> tuple[Path, str]:
        """The file and fragment a ref names, relative to the file it sits in."""
        if "://" in ref.partition("#")[0]:
            message = f"remote $ref {ref!r} is not supported; save the document and refer to the file"
            raise SpecError([self.spec.diagnostic(join_pointer(pointer, "$ref"), message)])
        file_part, _, fragment = ref.partition("#")
        return ((base.parent / file_part).resolve() if file_part else base), fragment

    def _part(self, ref: str, pointer: str, target: Path, fragment: str) -> tuple[Any, SourceMap]:
        where = join_pointer(pointer, "$ref")
        data, source = self._load(target, where)
        try:
            return resolve_pointer(data, fragment), source
        except KeyError:
            raise SpecError([self.spec.diagnostic(where, f"unresolvable $ref {ref!r}")]) from None

    def _load(self, target: Path, ref_pointer: str) -> tuple[Any, SourceMap]:
        if target not in self.cache:
            try:
                text = target.read_text(encoding="utf-8")
            except OSError:
                message = f"unresolvable $ref: file {target.name} not found"
                raise SpecError([self.spec.diagnostic(ref_pointer, message)]) from None
            self.cache[target] = parse_document(text, display_path(target))
            self.spec.load_warnings.extend(self.cache[target][1].duplicates)
        return self.cache[target]


def _free_name(taken: dict[str, Any], wanted: str) -> str:
    return unique_name(wanted, taken, numbered)
