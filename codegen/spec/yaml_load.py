"""YAML documents with the line of every node (JSON ones take the faster path in load.py)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..diagnostics import Diagnostic, SpecError, join_pointer
from .load import SourceMap

# libyaml's parser when PyYAML has it: the pure-Python one is several times slower on big specs.
_YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_YamlLoader):  # type: ignore[misc]
    """SafeLoader with YAML 1.2 booleans; duplicate keys are reported by _construct."""


_DUPLICATE = "duplicate key {key!r}; the last value is used"


# YAML 1.2 booleans, as OpenAPI 3.1 asks: `on`, `off`, `yes`, `no` stay strings (enum values such
# as a setting's `on`/`off` must not turn into True/False).
_BOOL = "tag:yaml.org,2002:bool"
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL]
    for first, resolvers in _YamlLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _construct(node: yaml.Node, pointer: str, source: SourceMap, loader: _Loader) -> Any:
    lines = source.lines
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
                line = key_node.start_mark.line + 1
                source.duplicates.append(Diagnostic(source.file, line, child, _DUPLICATE.format(key=key), "warning"))
            result[key] = _construct(value_node, child, source, loader)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, join_pointer(pointer, i), source, loader) for i, item in enumerate(node.value)]
    value = loader.construct_object(node)
    if hasattr(value, "isoformat"):  # YAML timestamps: keep the text the author wrote
        return str(node.value)
    return value


def parse_yaml(text: str, file: str, source: SourceMap) -> tuple[Any, SourceMap]:
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
    return _construct(node, "", source, _Loader("")), source
