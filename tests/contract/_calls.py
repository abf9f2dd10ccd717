"""One call per operation of a spec: arguments from the spec, the generated client's method, checks.

The operations come from the spec's own `paths` (the denominator of the coverage figure); the
generator's IR only supplies the Python names of methods and parameters, so an operation the
generator dropped or renamed wrongly shows up as not called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pydantic

from codegen.ir.nodes import Operation, Package, Param
from codegen.lower import lower
from codegen.prepare import HTTP_METHODS, prepare
from codegen.spec.load import load_spec

from ._values import Resolver, example_of, has_example, value_for

OpKey = tuple[str, str]  # (HTTP method upper-case, path template)


@dataclass(frozen=True)
class Call:
    key: OpKey
    resource: tuple[str, ...]
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    op: Operation

    @property
    def label(self) -> str:
        return f"{'.'.join(self.resource)}.{self.method} ({self.key[0]} {self.key[1]})"


@dataclass
class ApiPlan:
    name: str
    package: Package
    spec_ops: list[OpKey]
    calls: list[Call] = field(default_factory=list)


def spec_operations(document: dict[str, Any]) -> list[OpKey]:
    return [
        (method.upper(), path)
        for path, item in (document.get("paths") or {}).items()
        for method in HTTP_METHODS
        if isinstance(item, dict) and isinstance(item.get(method), dict)
    ]


def plan(spec_path: Path) -> ApiPlan:
    spec = load_spec(spec_path)
    package = lower(spec, prepare(spec))
    document = spec.data
    resolver = Resolver(document)
    result = ApiPlan(spec_path.stem, package, spec_operations(document))
    for resource, op in package.all_operations():
        item = document["paths"][op.path]
        raw_op = item[op.http_method]
        raw_params = _raw_params(item, raw_op, resolver)
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for param in op.params:
            raw = raw_params.get((param.location, param.wire_name), {})
            value = _param_value(param, raw, resolver)
            if value is _SKIP:
                continue
            if param.location == "path":
                args.append(value)
            else:
                kwargs[param.name] = value
        if op.body is not None:
            body = _body_value(op, resolver.resolve(raw_op.get("requestBody")), resolver)
            if op.body.fields is not None:
                # Keyword arguments: each wire field under its Python name (the call surface).
                names = {f.wire_name: f.name for f in op.body.fields}
                extra = {k: v for k, v in body.items() if k not in names} if isinstance(body, dict) else {}
                kwargs.update({names[k]: v for k, v in body.items() if k in names} if isinstance(body, dict) else {})
                missing = [f.name for f in op.body.fields if f.required and f.name not in kwargs]
                assert not missing, f"{op.path}: example lacks required body fields {missing}"
                if extra:
                    kwargs["extra_body"] = extra
            elif op.body.required:
                args.append(body)
            else:
                kwargs["body"] = body
        result.calls.append(
            Call((op.http_method.upper(), op.path), resource.path, op.method_name, tuple(args), kwargs, op)
        )
    return result


_SKIP = object()


def _raw_params(item: dict[str, Any], op: dict[str, Any], resolver: Resolver) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in list(item.get("parameters") or []) + list(op.get("parameters") or []):
        param = resolver.resolve(raw)
        out[(param["in"], param["name"])] = param
    return out


def _param_value(param: Param, raw: dict[str, Any], resolver: Resolver) -> Any:
    """Every parameter, optional ones too, so Prism sees how each one is encoded."""
    if not raw:
        return _SKIP if not param.required else "x"
    example = example_of(raw)
    return example if has_example(example) else value_for(raw.get("schema") or {}, resolver)


def _body_value(op: Operation, request: dict[str, Any], resolver: Resolver) -> Any:
    assert op.body is not None
    media = (request.get("content") or {}).get(op.body.content_type) or {}
    schema = resolver.resolve(media.get("schema") or {})
    if op.body.kind in ("multipart", "form"):
        return _form_fields(schema, media.get("encoding") or {}, resolver)
    example = example_of(media)
    value = example if has_example(example) else value_for(schema, resolver)
    if op.body.kind == "binary":
        return value.encode() if isinstance(value, str) else b"\x89PNG contract-test bytes"
    if op.body.kind == "text":
        return str(value)
    return value


def _form_fields(schema: dict[str, Any], encoding: dict[str, Any], resolver: Resolver) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    properties = schema.get("properties") or {}
    for name in schema.get("required") or list(properties):
        prop = resolver.resolve(properties.get(name) or {})
        if prop.get("format") == "binary" or "contentMediaType" in prop:
            content_type = str(
                (encoding.get(name) or {}).get("contentType")
                or prop.get("contentMediaType")
                or "application/octet-stream"
            )
            content_type = content_type.split(",")[0].strip()
            fields[name] = ("contract-test.bin", b"contract test file content", content_type)
        else:
            fields[name] = value_for(prop, resolver)
    return fields


def unknown_fields(value: Any, where: str = "") -> list[str]:
    """Wire keys a parsed response kept as extras: the model does not know a field Prism sent."""
    found: list[str] = []
    if isinstance(value, pydantic.BaseModel):
        for key in value.model_extra or {}:
            found.append(f"{where}.{key}" if where else key)
        for name in type(value).model_fields:
            found += unknown_fields(getattr(value, name), f"{where}.{name}" if where else name)
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):
            found += unknown_fields(item, f"{where}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            found += unknown_fields(item, f"{where}.{key}")
    return found
