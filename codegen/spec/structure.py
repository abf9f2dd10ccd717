"""Structural checks of an OpenAPI document: what the generator relies on, in one fast pass.

The JSON Schema of OpenAPI answers "is not valid under any of the given schemas" for most mistakes
and takes seconds on large documents; these checks name the exact field and say what is expected.
Each problem comes with its fallback (docs/openapi-support.md, "Bad specs"): the value at the
pointer is dropped, replaced, or kept for the later stages to skip, so a sensible client is still
generated and the problem is a warning.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..diagnostics import join_pointer

# What becomes of the value at the pointer: removed, replaced by the value, or left for the
# later stages, which skip what they cannot use.
DROP: Any = object()
KEEP: Any = object()
Problem = tuple[str, str, Any]  # (JSON pointer, message, DROP, KEEP or the replacement value)

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
# Every key whose value is checked as subschemas (or, for additionalProperties, may be one).
_SUBSCHEMA_KEYS = frozenset({*_SCHEMA_LISTS, *_SCHEMA_MAPS, *_SCHEMA_ONES, "additionalProperties"})


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
            yield join_pointer(pointer, key), f"unknown key {key!r} in {kind}{suggestion}; ignored", DROP


def structural_problems(data: dict[str, Any], version: str) -> Iterator[Problem]:
    is_31 = version.startswith("3.1")
    yield from _unknown_keys(data, "document", "")
    info = data.get("info")
    if not isinstance(info, dict) or not isinstance(info.get("title"), str) or "version" not in info:
        fixed = dict(info) if isinstance(info, dict) else {}
        fixed["title"] = fixed["title"] if isinstance(fixed.get("title"), str) else "API"
        fixed.setdefault("version", "0")
        yield "/info", "'info' must be a mapping with 'title' and 'version'; using title 'API', version '0'", fixed
    paths = data.get("paths")
    if paths is None and not is_31:
        yield "", "an OpenAPI 3.0 document needs 'paths'; the client has no methods", KEEP
    elif paths is not None and not isinstance(paths, dict):
        yield "/paths", "'paths' must be a mapping of path templates to path items; ignored", DROP
    elif isinstance(paths, dict):
        for path, item in paths.items():
            yield from _path_item(str(path), item, join_pointer("/paths", path), is_31)
    components = data.get("components")
    if components is not None and not isinstance(components, dict):
        yield "/components", "'components' must be a mapping; ignored", DROP
    elif isinstance(components, dict):
        yield from _components(components)
    for i, server in enumerate(data.get("servers") or []):
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            yield join_pointer("/servers", i), "a server needs a 'url' string; ignored", KEEP


def _components(components: dict[str, Any]) -> Iterator[Problem]:
    for section, value in components.items():
        if not str(section).startswith("x-") and not isinstance(value, dict):
            yield join_pointer("/components", section), f"components.{section} must be a mapping; ignored", DROP
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
            f"security scheme type must be one of {', '.join(sorted(_SCHEME_TYPES))}, not {kind!r}; not used",
            KEEP,
        )
    elif kind == "apiKey":
        if not isinstance(scheme.get("name"), str) or not scheme.get("name"):
            yield pointer, "an apiKey security scheme needs a 'name'; sending X-API-Key", KEEP
        if scheme.get("in") not in ("header", "query", "cookie"):
            where, value = join_pointer(pointer, "in"), scheme.get("in")
            yield where, f"apiKey 'in' must be header, query or cookie, not {value!r}; not used", KEEP
    elif kind == "http" and not isinstance(scheme.get("scheme"), str):
        yield pointer, "an http security scheme needs a 'scheme' (bearer, basic, ...); using bearer", KEEP


def _path_item(path: str, item: Any, pointer: str, is_31: bool) -> Iterator[Problem]:
    if not path.startswith("/") and not path.startswith("x-"):
        yield pointer, f"path {path!r} must start with '/'; sent with one", KEEP
    if not isinstance(item, dict):
        yield pointer, "a path item must be a mapping of HTTP methods to operations; ignored", DROP
        return
    yield from _unknown_keys(item, "path item", pointer)
    for i, param in enumerate(item.get("parameters") or []):
        yield from _parameter(param, join_pointer(pointer, "parameters", i))
    for method in HTTP_METHODS:
        if method in item:
            yield from _operation(item[method], join_pointer(pointer, method), is_31)


def _operation(op: Any, pointer: str, is_31: bool) -> Iterator[Problem]:
    if not isinstance(op, dict):
        yield pointer, "an operation must be a mapping; ignored", DROP
        return
    yield from _unknown_keys(op, "operation", pointer)
    if "operationId" in op and not isinstance(op["operationId"], str):
        yield join_pointer(pointer, "operationId"), "operationId must be a string; ignored", DROP
    params = op.get("parameters")
    if params is not None and not isinstance(params, list):
        yield join_pointer(pointer, "parameters"), "parameters must be a list; ignored", DROP
    for i, param in enumerate(params if isinstance(params, list) else []):
        yield from _parameter(param, join_pointer(pointer, "parameters", i))
    body = op.get("requestBody")
    if isinstance(body, dict) and "$ref" not in body:
        yield from _unknown_keys(body, "request body", join_pointer(pointer, "requestBody"))
        yield from _content(body.get("content"), join_pointer(pointer, "requestBody", "content"), required=True)
    elif body is not None and not isinstance(body, dict):
        yield join_pointer(pointer, "requestBody"), "requestBody must be a mapping; ignored", DROP
    responses = op.get("responses")
    if responses is None and not is_31:
        yield pointer, "an operation needs 'responses'; the method returns None", KEEP
    elif responses is not None and not isinstance(responses, dict):
        message = "responses must be a mapping of status codes to responses; the method returns None"
        yield join_pointer(pointer, "responses"), message, DROP
    elif isinstance(responses, dict):
        for status, response in responses.items():
            where = join_pointer(pointer, "responses", status)
            code = str(status)
            if not (
                code == "default"
                or code.startswith("x-")
                or (len(code) == 3 and code[0] in "12345" and (code[1:].isdigit() or code[1:] == "XX"))
            ):
                yield where, f"response status {code!r} must be a 3-digit code, 1XX-5XX or 'default'; ignored", DROP
            elif not isinstance(response, dict):
                yield where, "a response must be a mapping; ignored", DROP
            elif "$ref" not in response:
                yield from _unknown_keys(response, "response", where)
                if response.get("content") is not None:
                    yield from _content(response["content"], join_pointer(where, "content"), required=False)


def _content(content: Any, pointer: str, *, required: bool) -> Iterator[Problem]:
    if content is None and required:
        yield pointer.rsplit("/", 1)[0], "a request body needs 'content' (a mapping of media types); ignored", DROP
    elif content is not None and not isinstance(content, dict):
        yield pointer, "content must be a mapping of media types to media type objects; ignored", DROP
    elif isinstance(content, dict):
        for media_type, media in content.items():
            where = join_pointer(pointer, media_type)
            if not isinstance(media, dict):
                yield where, "a media type object must be a mapping; ignored", DROP
                continue
            yield from _unknown_keys(media, "media type", where)
            if "schema" in media:
                yield from schema_problems(media["schema"], join_pointer(where, "schema"))


def _parameter(param: Any, pointer: str) -> Iterator[Problem]:
    if not isinstance(param, dict):
        yield pointer, "a parameter must be a mapping; skipped", KEEP
        return
    if "$ref" in param:
        return
    yield from _unknown_keys(param, "parameter", pointer)
    if not isinstance(param.get("name"), str) or not param.get("name"):
        yield pointer, "a parameter needs a 'name'; skipped", KEEP
    location = param.get("in")
    if location not in _LOCATIONS:
        message = f"parameter 'in' must be one of {', '.join(_LOCATIONS)}, not {location!r}; skipped"
        yield join_pointer(pointer, "in"), message, KEEP
    if "schema" in param:
        yield from schema_problems(param["schema"], join_pointer(pointer, "schema"))
    elif "content" in param:
        yield from _content(param["content"], join_pointer(pointer, "content"), required=False)


# Where a subschema is: a pointer, or (the parent's place, tokens on from it).
_Place = str | tuple[Any, ...]


def schema_problems(schema: Any, pointer: str) -> Iterator[Problem]:
    """Problems of one schema and its subschemas (iterative: deep documents must not overflow).
    A subschema's pointer is spelled only for a problem: (its parent's place, its tokens) until
    then, as nearly every schema of a large spec has none (joining them all cost a third of the
    check on GitHub's)."""
    stack: list[tuple[Any, _Place]] = [(schema, pointer)]
    while stack:
        node, place = stack.pop()
        if isinstance(node, bool):
            continue
        if not isinstance(node, dict):
            yield _spelled(place), f"a schema must be a mapping, not {type(node).__name__}; typed Any", {}
            continue
        if "$ref" in node and not isinstance(node["$ref"], str):
            yield _spelled(place, "$ref"), "$ref must be a string; ignored", DROP
        kinds = node.get("type")
        listed = kinds if isinstance(kinds, list) else [] if kinds is None else [kinds]
        unknown = [kind for kind in listed if kind not in _TYPES]
        if unknown:
            known = [kind for kind in listed if kind in _TYPES]
            message = f"unknown type {unknown[0]!r}; expected one of {', '.join(sorted(_TYPES))}"
            fix = DROP if not known else known if isinstance(kinds, list) else known[0]
            yield _spelled(place, "type"), message + ("; typed Any" if fix is DROP else "; ignored"), fix
        elif "default" in node:
            yield from _default(node, listed, place)
        required = node.get("required")
        if required is not None and not (isinstance(required, list) and all(isinstance(r, str) for r in required)):
            yield _spelled(place, "required"), "required must be a list of property names; ignored", DROP
        if "enum" in node and not isinstance(node["enum"], list):
            yield _spelled(place, "enum"), "enum must be a list of values; ignored", DROP
        discriminator = node.get("discriminator")
        if discriminator is not None and not (
            isinstance(discriminator, dict) and isinstance(discriminator.get("propertyName"), str)
        ):
            yield (
                _spelled(place, "discriminator"),
                "discriminator needs a 'propertyName' string; ignored",
                DROP,
            )
        if node.keys().isdisjoint(_SUBSCHEMA_KEYS):  # a leaf schema: nothing below it to check
            continue
        for key in _SCHEMA_LISTS:
            if key in node:
                if not isinstance(node[key], list) or (key != "prefixItems" and not node[key]):
                    empty = isinstance(node[key], list)
                    message = f"an empty {key}; typed Any" if empty else f"{key} must be a list of schemas; ignored"
                    yield _spelled(place, key), message, DROP
                else:
                    stack.extend((s, (place, key, i)) for i, s in enumerate(node[key]))
        for key in _SCHEMA_MAPS:
            if key in node:
                if not isinstance(node[key], dict):
                    yield (
                        _spelled(place, key),
                        f"{key} must be a mapping of names to schemas; ignored",
                        DROP,
                    )
                else:
                    stack.extend((s, (place, key, name)) for name, s in node[key].items())
        for key in _SCHEMA_ONES:
            if key in node:
                stack.append((node[key], (place, key)))
        extra = node.get("additionalProperties")
        if extra is not None and not isinstance(extra, bool | dict):
            message = "additionalProperties must be a boolean or a schema; ignored"
            yield _spelled(place, "additionalProperties"), message, DROP
        elif isinstance(extra, dict):
            stack.append((extra, (place, "additionalProperties")))


def _spelled(place: _Place, *more: str | int) -> str:
    """The pointer of a place, with `more` tokens on from it."""
    tokens: list[Any] = list(reversed(more))
    while not isinstance(place, str):
        tokens.extend(reversed(place[1:]))
        place = place[0]
    return join_pointer(place, *reversed(tokens))


_FITS = {
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}


def _default(node: dict[str, Any], kinds: list[Any], place: _Place) -> Iterator[Problem]:
    """A default that fits none of the declared types ("inf" for an integer) is dropped."""
    value = node["default"]
    if not kinds or any(_FITS[kind](value) for kind in kinds) or (value is None and node.get("nullable") is True):
        return
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    yield (
        _spelled(place, "default"),
        f"default {shown} is not of type {' or '.join(kinds)}; dropped",
        DROP,
    )
