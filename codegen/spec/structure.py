"""Structural checks of an OpenAPI document: what the generator relies on, in one fast pass.

The JSON Schema of OpenAPI answers "is not valid under any of the given schemas" for most mistakes
and takes seconds on large documents; these checks name the exact field and say what is expected.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..diagnostics import join_pointer

Problem = tuple[str, str]  # (JSON pointer, message)

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_LOCATIONS = ("path", "query", "header", "cookie")
_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object", "null"})
_SCHEME_TYPES = frozenset({"apiKey", "http", "oauth2", "openIdConnect", "mutualTLS"})
_SCHEMA_LISTS = ("allOf", "oneOf", "anyOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_ONES = (
    "items",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
)


# Fixed fields of the objects the generator reads; any other key (but x-...) is most likely a typo.
_FIELDS = {
    "document": {
        "openapi",
        "info",
        "jsonSchemaDialect",
        "servers",
        "paths",
        "webhooks",
        "components",
        "security",
        "tags",
        "externalDocs",
    },
    "path item": {"$ref", "summary", "description", "servers", "parameters", *HTTP_METHODS},
    "operation": {
        "tags",
        "summary",
        "description",
        "externalDocs",
        "operationId",
        "parameters",
        "requestBody",
        "responses",
        "callbacks",
        "deprecated",
        "security",
        "servers",
    },
    "parameter": {
        "name",
        "in",
        "description",
        "required",
        "deprecated",
        "allowEmptyValue",
        "style",
        "explode",
        "allowReserved",
        "schema",
        "example",
        "examples",
        "content",
    },
    "request body": {"description", "content", "required"},
    "response": {"description", "headers", "content", "links"},
    "media type": {"schema", "example", "examples", "encoding"},
}


def _unknown_keys(node: dict[str, Any], kind: str, pointer: str) -> Iterator[Problem]:
    if "$ref" in node and kind != "path item":
        return
    for key in node:
        if isinstance(key, str) and key not in _FIELDS[kind] and not key.startswith("x-"):
            hint = next((f for f in sorted(_FIELDS[kind]) if f.lower() == key.lower()), None)
            suggestion = (
                f" (did you mean {hint!r}?)" if hint else f"; expected one of {', '.join(sorted(_FIELDS[kind]))}"
            )
            yield join_pointer(pointer, key), f"unknown key {key!r} in {kind}{suggestion}"


def structural_problems(data: dict[str, Any], version: str) -> Iterator[Problem]:
    is_31 = version.startswith("3.1")
    yield from _unknown_keys(data, "document", "")
    info = data.get("info")
    if not isinstance(info, dict) or not isinstance(info.get("title"), str) or "version" not in info:
        yield "/info", "'info' must be a mapping with 'title' and 'version'"
    paths = data.get("paths")
    if paths is None and not is_31:
        yield "", "an OpenAPI 3.0 document needs 'paths'"
    elif paths is not None and not isinstance(paths, dict):
        yield "/paths", "'paths' must be a mapping of path templates to path items"
    elif isinstance(paths, dict):
        for path, item in paths.items():
            yield from _path_item(str(path), item, join_pointer("/paths", path), is_31)
    components = data.get("components")
    if components is not None and not isinstance(components, dict):
        yield "/components", "'components' must be a mapping"
    elif isinstance(components, dict):
        yield from _components(components)
    for i, server in enumerate(data.get("servers") or []):
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            yield join_pointer("/servers", i), "a server needs a 'url' string"


def _components(components: dict[str, Any]) -> Iterator[Problem]:
    for section, value in components.items():
        if not str(section).startswith("x-") and not isinstance(value, dict):
            yield join_pointer("/components", section), f"components.{section} must be a mapping"
    schemas = components.get("schemas")
    if isinstance(schemas, dict):
        for name, schema in schemas.items():
            yield from schema_problems(schema, join_pointer("/components/schemas", name))
    for name, param in (components.get("parameters") or {}).items():
        yield from _parameter(param, join_pointer("/components/parameters", name))
    for name, scheme in (components.get("securitySchemes") or {}).items():
        yield from _security_scheme(scheme, join_pointer("/components/securitySchemes", name))


def _security_scheme(scheme: Any, pointer: str) -> Iterator[Problem]:
    if not isinstance(scheme, dict) or "$ref" in scheme:
        return
    kind = scheme.get("type")
    if kind not in _SCHEME_TYPES:
        yield (
            join_pointer(pointer, "type"),
            f"security scheme type must be one of {', '.join(sorted(_SCHEME_TYPES))}, not {kind!r}",
        )
    elif kind == "apiKey":
        if not isinstance(scheme.get("name"), str) or not scheme.get("name"):
            yield pointer, "an apiKey security scheme needs a 'name'"
        if scheme.get("in") not in ("header", "query", "cookie"):
            yield join_pointer(pointer, "in"), f"apiKey 'in' must be header, query or cookie, not {scheme.get('in')!r}"
    elif kind == "http" and not isinstance(scheme.get("scheme"), str):
        yield pointer, "an http security scheme needs a 'scheme' (bearer, basic, ...)"


def _path_item(path: str, item: Any, pointer: str, is_31: bool) -> Iterator[Problem]:
    if not path.startswith("/") and not path.startswith("x-"):
        yield pointer, f"path {path!r} must start with '/'"
    if not isinstance(item, dict):
        yield pointer, "a path item must be a mapping of HTTP methods to operations"
        return
    yield from _unknown_keys(item, "path item", pointer)
    for i, param in enumerate(item.get("parameters") or []):
        yield from _parameter(param, join_pointer(pointer, "parameters", i))
    for method in HTTP_METHODS:
        if method in item:
            yield from _operation(item[method], join_pointer(pointer, method), is_31)


def _operation(op: Any, pointer: str, is_31: bool) -> Iterator[Problem]:
    if not isinstance(op, dict):
        yield pointer, "an operation must be a mapping"
        return
    yield from _unknown_keys(op, "operation", pointer)
    if "operationId" in op and not isinstance(op["operationId"], str):
        yield join_pointer(pointer, "operationId"), "operationId must be a string"
    params = op.get("parameters")
    if params is not None and not isinstance(params, list):
        yield join_pointer(pointer, "parameters"), "parameters must be a list"
    for i, param in enumerate(params if isinstance(params, list) else []):
        yield from _parameter(param, join_pointer(pointer, "parameters", i))
    body = op.get("requestBody")
    if isinstance(body, dict) and "$ref" not in body:
        yield from _unknown_keys(body, "request body", join_pointer(pointer, "requestBody"))
        yield from _content(body.get("content"), join_pointer(pointer, "requestBody", "content"), required=True)
    elif body is not None and not isinstance(body, dict):
        yield join_pointer(pointer, "requestBody"), "requestBody must be a mapping"
    responses = op.get("responses")
    if responses is None and not is_31:
        yield pointer, "an operation needs 'responses'"
    elif responses is not None and not isinstance(responses, dict):
        yield join_pointer(pointer, "responses"), "responses must be a mapping of status codes to responses"
    elif isinstance(responses, dict):
        for status, response in responses.items():
            where = join_pointer(pointer, "responses", status)
            code = str(status)
            if not (
                code == "default"
                or code.startswith("x-")
                or (len(code) == 3 and code[0] in "12345" and (code[1:].isdigit() or code[1:] == "XX"))
            ):
                yield where, f"response status {code!r} must be a 3-digit code, 1XX-5XX or 'default'"
            if not isinstance(response, dict):
                yield where, "a response must be a mapping"
            elif "$ref" not in response:
                yield from _unknown_keys(response, "response", where)
                if response.get("content") is not None:
                    yield from _content(response["content"], join_pointer(where, "content"), required=False)


def _content(content: Any, pointer: str, *, required: bool) -> Iterator[Problem]:
    if content is None and required:
        yield pointer, "a request body needs 'content' (a mapping of media types)"
    elif content is not None and not isinstance(content, dict):
        yield pointer, "content must be a mapping of media types to media type objects"
    elif isinstance(content, dict):
        for media_type, media in content.items():
            where = join_pointer(pointer, media_type)
            if not isinstance(media, dict):
                yield where, "a media type object must be a mapping"
                continue
            yield from _unknown_keys(media, "media type", where)
            if "schema" in media:
                yield from schema_problems(media["schema"], join_pointer(where, "schema"))


def _parameter(param: Any, pointer: str) -> Iterator[Problem]:
    if not isinstance(param, dict):
        yield pointer, "a parameter must be a mapping"
        return
    if "$ref" in param:
        return
    yield from _unknown_keys(param, "parameter", pointer)
    if not isinstance(param.get("name"), str) or not param.get("name"):
        yield pointer, "a parameter needs a 'name'"
    location = param.get("in")
    if location not in _LOCATIONS:
        yield join_pointer(pointer, "in"), f"parameter 'in' must be one of {', '.join(_LOCATIONS)}, not {location!r}"
    if "schema" in param:
        yield from schema_problems(param["schema"], join_pointer(pointer, "schema"))
    elif "content" in param:
        yield from _content(param["content"], join_pointer(pointer, "content"), required=False)


def schema_problems(schema: Any, pointer: str) -> Iterator[Problem]:
    """Problems of one schema and its subschemas (iterative: deep documents must not overflow)."""
    stack: list[tuple[Any, str]] = [(schema, pointer)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, bool):
            continue
        if not isinstance(node, dict):
            yield where, f"a schema must be a mapping, not {type(node).__name__}"
            continue
        if "$ref" in node and not isinstance(node["$ref"], str):
            yield join_pointer(where, "$ref"), "$ref must be a string"
        kinds = node.get("type")
        for kind in kinds if isinstance(kinds, list) else [] if kinds is None else [kinds]:
            if kind not in _TYPES:
                yield join_pointer(where, "type"), f"unknown type {kind!r}; expected one of {', '.join(sorted(_TYPES))}"
        required = node.get("required")
        if required is not None and not (isinstance(required, list) and all(isinstance(r, str) for r in required)):
            yield join_pointer(where, "required"), "required must be a list of property names"
        if "enum" in node and not isinstance(node["enum"], list):
            yield join_pointer(where, "enum"), "enum must be a list of values"
        discriminator = node.get("discriminator")
        if discriminator is not None and not (
            isinstance(discriminator, dict) and isinstance(discriminator.get("propertyName"), str)
        ):
            yield join_pointer(where, "discriminator"), "discriminator needs a 'propertyName' string"
        for key in _SCHEMA_LISTS:
            if key in node:
                if not isinstance(node[key], list) or (key != "prefixItems" and not node[key]):
                    yield join_pointer(where, key), f"{key} must be a non-empty list of schemas"
                else:
                    stack.extend((s, join_pointer(where, key, i)) for i, s in enumerate(node[key]))
        for key in _SCHEMA_MAPS:
            if key in node:
                if not isinstance(node[key], dict):
                    yield join_pointer(where, key), f"{key} must be a mapping of names to schemas"
                else:
                    stack.extend((s, join_pointer(where, key, name)) for name, s in node[key].items())
        for key in _SCHEMA_ONES:
            if key in node:
                stack.append((node[key], join_pointer(where, key)))
        extra = node.get("additionalProperties")
        if extra is not None and not isinstance(extra, bool | dict):
            yield join_pointer(where, "additionalProperties"), "additionalProperties must be a boolean or a schema"
        elif isinstance(extra, dict):
            stack.append((extra, join_pointer(where, "additionalProperties")))
