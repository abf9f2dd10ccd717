from __future__ import annotations

import datetime
import enum
import json
from collections.abc import Mapping, Sequence
from typing import TypeGuard
from urllib.parse import quote

import pydantic

# OpenAPI parameter serialisation: (style, explode) per parameter, keyed "<location>:<wire name>".
# Only parameters that differ from the defaults (form/explode lists in the query, deepObject
# mappings, simple path and header values) carry an entry; "json" marks a parameter declared
# with `content: application/json`, sent as one JSON text.
Style = tuple[str, bool]
_DELIMITERS = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}


def for_location(styles: Mapping[str, Style] | None, location: str) -> dict[str, Style]:
    prefix = location + ":"
    return {key[len(prefix) :]: style for key, style in (styles or {}).items() if key.startswith(prefix)}


def text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return text(value.value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


def _json_text(value: object) -> str:
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump_json(by_alias=True, exclude_unset=True)
    return json.dumps(value, default=text, separators=(",", ":"))


def _fields(value: object) -> list[tuple[str, object]]:
    if isinstance(value, pydantic.BaseModel):
        value = value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return [(str(k), v) for k, v in value.items() if v is not None]
    return []


def _is_list(value: object) -> TypeGuard[Sequence[object]]:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def query_pairs(name: str, value: object, style: Style) -> list[tuple[str, str]]:
    kind, explode = style
    if kind == "json":
        return [(name, _json_text(value))]
    if isinstance(value, Mapping | pydantic.BaseModel):
        fields = _fields(value)
        if kind == "deepObject":
            return [(f"{name}[{k}]", text(v)) for k, v in fields]
        if explode:
            return [(k, text(v)) for k, v in fields]
        return [(name, ",".join(text(part) for pair in fields for part in pair))]
    if _is_list(value):
        items = [text(v) for v in value if v is not None]
        if explode and kind == "form":
            return [(name, item) for item in items]
        return [(name, _DELIMITERS.get(kind, ",").join(items))]
    return [(name, text(value))]


def path_value(name: str, value: object, style: Style) -> str:
    """The percent-encoded text that replaces {name} in the path (simple, label or matrix style)."""
    kind, explode = style
    if kind == "json":
        return quote(_json_text(value), safe="")
    if isinstance(value, Mapping | pydantic.BaseModel):
        fields = [(quote(k, safe=""), quote(text(v), safe="")) for k, v in _fields(value)]
        parts = [f"{k}={v}" for k, v in fields] if explode else [p for pair in fields for p in pair]
    elif _is_list(value):
        parts = [quote(text(v), safe="") for v in value]
    else:
        parts = [quote(text(value), safe="")]
    if kind == "label":
        return "." + ("." if explode else ",").join(parts)
    if kind == "matrix":
        if explode and not isinstance(value, Mapping | pydantic.BaseModel):
            return "".join(f";{name}={p}" for p in parts)
        if explode:
            return "".join(f";{p}" for p in parts)
        return f";{name}=" + ",".join(parts)
    return ",".join(parts)


def header_value(value: object, style: Style) -> str:
    kind, explode = style
    if kind == "json":
        return _json_text(value)
    if isinstance(value, Mapping | pydantic.BaseModel):
        fields = _fields(value)
        if explode:
            return ",".join(f"{k}={text(v)}" for k, v in fields)
        return ",".join(text(part) for pair in fields for part in pair)
    if _is_list(value):
        return ",".join(text(v) for v in value)
    return text(value)
