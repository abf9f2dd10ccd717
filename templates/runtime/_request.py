from __future__ import annotations

import datetime
import enum
import json
import mimetypes
import os
import pathlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pydantic

from ._retry import IDEMPOTENT_METHODS as IDEMPOTENT_METHODS  # the one set, kept importable here
from ._styles import Style, header_value, path_value, query_pairs
from ._types import NOT_GIVEN, Body, Headers, NotGiven, Query, Timeout

BodyKind = Literal["json", "multipart", "form", "binary", "text"]


@dataclass(frozen=True)
class RequestSpec:
    """Everything a resource method knows about one call, before the client adds its settings."""

    method: str
    path: str
    path_params: Mapping[str, object] = field(default_factory=dict)
    query: Mapping[str, object] = field(default_factory=dict)
    headers: Mapping[str, object] = field(default_factory=dict)
    cookies: Mapping[str, object] = field(default_factory=dict)
    body: object = NOT_GIVEN
    body_kind: BodyKind | None = None
    content_type: str | None = None
    accept: str | None = None  # media type of a non-JSON answer (text/csv); None means JSON
    rate_limit_group: str | None = None
    styles: Mapping[str, Style] = field(default_factory=dict)  # non-default serialisation, see _styles
    extra_headers: Headers | None = None
    extra_query: Query | None = None
    extra_body: Body | None = None
    timeout: Timeout | NotGiven = NOT_GIVEN
    max_wait: float | NotGiven = NOT_GIVEN

    def with_query(self, changes: Mapping[str, object]) -> RequestSpec:
        from dataclasses import replace

        return replace(self, query={**self.query, **changes})


def render_path(template: str, params: Mapping[str, object], styles: Mapping[str, Style] | None = None) -> str:
    """Fill path parameters, refusing empty values that would silently hit another endpoint."""
    path = template
    for name, value in params.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError(f"Expected a non-empty value for path parameter `{name}` but received {value!r}")
        style = (styles or {}).get(name, ("simple", False))
        path = path.replace("{" + name + "}", path_value(name, value, style))
    return path


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return _scalar(value.value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


QueryPairs = list[tuple[str, str | int | float | bool | None]]


def encode_query(query: Mapping[str, object], styles: Mapping[str, Style] | None = None) -> QueryPairs:
    """Form-style query: lists repeat the key, mappings become deepObject keys, None is left out;
    parameters with a declared style follow it."""
    pairs: QueryPairs = []
    for key, value in query.items():
        if value is None or isinstance(value, NotGiven):
            continue
        if styles and key in styles:
            pairs.extend(query_pairs(key, value, styles[key]))
            continue
        if isinstance(value, Mapping):
            for sub, item in value.items():
                if item is not None:
                    pairs.append((f"{key}[{sub}]", _scalar(item)))
        elif isinstance(value, Sequence) and not isinstance(value, str | bytes):
            pairs.extend((key, _scalar(item)) for item in value if item is not None)
        else:
            pairs.append((key, _scalar(value)))
    return pairs


def encode_headers(headers: Mapping[str, object], styles: Mapping[str, Style] | None = None) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in headers.items():
        if value is None or isinstance(value, NotGiven):
            continue
        if styles and key in styles:
            out[key] = header_value(value, styles[key])
            continue
        if isinstance(value, Sequence) and not isinstance(value, str | bytes):
            out[key] = ",".join(_scalar(v) for v in value)
        else:
            out[key] = _scalar(value)
    return out


_PLAIN = frozenset({str, int, float, bool, type(None)})


def jsonable(value: object) -> Any:
    """Models become their wire form (aliases, unset fields left out); the rest is walked."""
    if type(value) in _PLAIN:  # most body fields: nothing to convert
        return value
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return {str(k): v if type(v) in _PLAIN else jsonable(v) for k, v in value.items() if v is not NOT_GIVEN}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def encode_body(spec: RequestSpec) -> dict[str, Any]:
    """httpx keyword arguments for the body of a request."""
    body = spec.body
    if isinstance(body, NotGiven) or body is None:
        if spec.extra_body:
            return {
                "content": json.dumps(jsonable(spec.extra_body)).encode(),
                "headers": {"Content-Type": "application/json"},
            }
        return {}
    if spec.body_kind == "json":
        data = jsonable(body)
        if spec.extra_body and isinstance(data, dict):
            data = {**data, **jsonable(spec.extra_body)}
        content_type = spec.content_type or "application/json"
        if content_type in ("*/*", ""):
            content_type = "application/json"
        return {"content": json.dumps(data, separators=(",", ":")).encode(), "headers": {"Content-Type": content_type}}
    if spec.body_kind in ("multipart", "form"):
        if isinstance(body, pydantic.BaseModel):  # python mode: file fields stay bytes
            fields = body.model_dump(by_alias=True, exclude_unset=True)
        else:
            fields = dict(jsonable(body) if not isinstance(body, Mapping) else body)
        if spec.extra_body:
            fields.update(spec.extra_body)
        files: list[tuple[str, Any]] = []
        data_fields: dict[str, Any] = {}
        for key, value in fields.items():
            if value is None or isinstance(value, NotGiven):
                continue
            uploads = value if isinstance(value, list) and value and all(map(_is_file, value)) else [value]
            if all(map(_is_file, uploads)):
                files.extend((key, file_part(item)) for item in uploads)
            else:
                data_fields[key] = _form_value(value)
        if spec.body_kind == "form" and not files:
            return {"data": data_fields}
        return {"data": data_fields, "files": files or None}
    if spec.body_kind == "text":
        return {"content": str(body).encode(), "headers": {"Content-Type": spec.content_type or "text/plain"}}
    if isinstance(body, bytes | bytearray):
        return {"content": bytes(body), "headers": {"Content-Type": spec.content_type or "application/octet-stream"}}
    raise TypeError(f"Expected bytes for a {spec.content_type} body, got {type(body).__name__}")


def _is_file(value: object) -> bool:
    # A str is never a file: a path must be a PathLike, so text is never read from disk by accident.
    return isinstance(value, bytes | bytearray | tuple | os.PathLike) or hasattr(value, "read")


def file_part(value: object) -> tuple[str | None, Any, str]:
    """(filename, content, content type) for httpx from any FileInput."""
    if isinstance(value, tuple):
        name, content = value[0], value[1]
        kind = value[2] if len(value) > 2 and value[2] else _guess_type(name)
        return name, content, kind
    if isinstance(value, os.PathLike):
        path = pathlib.Path(os.fspath(value))
        return path.name, path.read_bytes(), _guess_type(path.name)
    if isinstance(value, bytes | bytearray):
        return None, bytes(value), "application/octet-stream"
    name = getattr(value, "name", None)
    filename = os.path.basename(name) if isinstance(name, str) else None
    return filename, value, _guess_type(filename)


def _guess_type(filename: str | None) -> str:
    guessed = mimetypes.guess_type(filename)[0] if filename else None
    return guessed or "application/octet-stream"


def _form_value(value: object) -> Any:
    if isinstance(value, list):
        return [_form_value(v) for v in value]
    if isinstance(value, dict | pydantic.BaseModel):
        return json.dumps(jsonable(value))
    return _scalar(value)
