"""Deterministic JSON instances of the component schemas of a prepared OpenAPI document.

Used by test_builtin_models.py to feed the same data to two model emitters. The instances aim to
conform to the schema (so a correct model accepts them) while touching as much of it as possible:
every property, two array items, one entry in every map.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

SCHEMA_PREFIX = "#/components/schemas/"

# Values a model generator cannot confuse with a neighbouring type: the string is no number,
# the number no integer.
_STRING = "text"
_UNTYPED = "anything"  # an untyped schema's value; allOf prefers any typed value over it
_INTEGER = 7
_NUMBER = 1.5
_EXTRA_KEY = "additional_key"  # also matches the propertyNames patterns in the curated specs

_FORMATS = {
    "date-time": "2024-01-02T03:04:05Z",
    "date": "2024-01-02",
    "time": "03:04:05",
    "duration": "P1D",
    "uuid": "123e4567-e89b-42d3-a456-426614174000",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "uri": "https://example.com/path",
    "iri": "https://example.com/path",
    "uri-reference": "/path",
    "iri-reference": "/path",
    "url": "https://example.com/path",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "byte": "aGVsbG8=",
    "binary": "data",
    "decimal": "1.5",
}


class _Omit:
    """No value can be produced (a `false` schema): the property is left out."""


OMIT = _Omit()


class Synthesizer:
    """Instances of the schemas in `document["components"]["schemas"]`.

    `max_depth` bounds the nesting that gets optional content: deeper down only required
    properties are filled and arrays, maps and nullable values are empty, so recursive schemas end.
    """

    def __init__(self, document: dict[str, Any], *, max_depth: int = 4) -> None:
        self.document = document
        self.schemas: dict[str, Any] = (document.get("components") or {}).get("schemas") or {}
        self.max_depth = max_depth
        # A required cycle without an array or null to end it has no finite instance; stop anyway.
        self.hard_limit = max_depth + 12
        self.tags = discriminator_tags(self.schemas)

    def sample(self, name: str, *, minimal: bool = False) -> Any:
        """An instance of the component `name`; `minimal` fills only required properties."""
        return self._node({"$ref": SCHEMA_PREFIX + name}, 0, minimal, 0)

    def _node(
        self,
        schema: Any,
        depth: int,
        minimal: bool,
        pick: int,
        name: str | None = None,
        required: frozenset[str] = frozenset(),
    ) -> Any:
        """`required` adds property names that a sibling allOf part requires of this one."""
        if schema is True or schema is None:
            return _UNTYPED
        if schema is False:
            return OMIT
        if not isinstance(schema, dict):
            return _UNTYPED
        if depth > self.hard_limit:
            return None
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target, target_name = self._resolve(ref)
            return self._node(target, depth, minimal, pick, target_name, required)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list):
            values = [v for v in schema["enum"] if v is not None]
            return values[0] if values else None

        parts: list[Any] = []
        all_of = [p for p in schema.get("allOf") or [] if isinstance(p, dict)]
        if all_of:
            # A part may require a property that another part defines.
            required = required | self._required_of(schema)
            for part in all_of:
                required |= self._required_of(part)
        for part in all_of:
            parts.append(self._node(part, depth, minimal, 0, required=required))
        members = schema.get("oneOf") or schema.get("anyOf")
        if isinstance(members, list) and members:
            if depth > self.max_depth and any(isinstance(m, dict) and _types(m) == ["null"] for m in members):
                return None
            parts.append(self._union(members, depth, minimal, pick))
        if _has_own_shape(schema) or not parts:
            parts.insert(0, self._typed(schema, depth, minimal, required))
        value = _merge(parts)
        if name in self.tags and isinstance(value, dict):
            # The discriminated union this schema belongs to fixes its tag (a Literal in the models).
            value.update(self.tags[name])
        return value

    def _union(self, members: list[Any], depth: int, minimal: bool, pick: int) -> Any:
        real = [m for m in members if not (isinstance(m, dict) and _types(m) == ["null"])]
        if not real:
            return None
        # The n-th array item takes the n-th member, so an array of a union shows two members.
        return self._node(real[pick % len(real)], depth, minimal, 0)

    def _typed(self, schema: dict[str, Any], depth: int, minimal: bool, required: frozenset[str]) -> Any:
        types = [t for t in _types(schema) if t != "null"]
        if not types:
            if _types(schema) == ["null"]:
                return None
            types = [_implied_type(schema)]
        kind = types[0]
        nullable = schema.get("nullable") is True or "null" in _types(schema)
        if nullable and depth > self.max_depth:
            return None
        if kind == "object":
            return self._object(schema, depth, minimal, required)
        if kind == "array":
            return self._array(schema, depth, minimal)
        if kind == "string":
            return _FORMATS.get(str(schema.get("format")), _STRING)
        if kind == "integer":
            return _INTEGER
        if kind == "number":
            return _NUMBER
        if kind == "boolean":
            return True
        return _anything(schema)

    def _object(self, schema: dict[str, Any], depth: int, minimal: bool, required: frozenset[str]) -> dict[str, Any]:
        required = required | self._required_of(schema)
        optional_too = not minimal and depth < self.max_depth
        out: dict[str, Any] = {}
        properties = schema.get("properties") or {}
        for prop, sub in properties.items():
            if prop not in required and not optional_too:
                continue
            value = self._node(sub, depth + 1, minimal, 0)
            if value is not OMIT:
                out[prop] = value
        extra = schema.get("additionalProperties")
        if extra is None and not properties and not any(k in schema for k in ("allOf", "oneOf", "anyOf")):
            extra = True  # a free-form object: give it an entry to carry
        if optional_too and extra is not None and extra is not False and _EXTRA_KEY not in properties:
            value = self._node(extra, depth + 1, minimal, 0)
            if value is not OMIT:
                out[_EXTRA_KEY] = value
        return out

    def _array(self, schema: dict[str, Any], depth: int, minimal: bool) -> list[Any]:
        prefix = schema.get("prefixItems")
        if isinstance(prefix, list):
            return [v for v in (self._node(p, depth + 1, minimal, 0) for p in prefix) if v is not OMIT]
        if depth >= self.max_depth:
            return []
        items = schema.get("items", True)
        values = [self._node(items, depth + 1, minimal, i) for i in range(2)]
        return [v for v in values if v is not OMIT]

    def _required_of(self, schema: dict[str, Any]) -> frozenset[str]:
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target, _ = self._resolve(ref)
            schema = target if isinstance(target, dict) else {}
        names = schema.get("required")
        return frozenset(n for n in names if isinstance(n, str)) if isinstance(names, list) else frozenset()

    def _resolve(self, ref: str) -> tuple[Any, str | None]:
        """The schema a local ref points to, and its component name when it names one."""
        if not ref.startswith("#/"):
            raise ValueError(f"not a local ref: {ref}")
        node: Any = self.document
        for token in ref[2:].split("/"):
            key = unquote(token).replace("~1", "/").replace("~0", "~")
            node = node[int(key)] if isinstance(node, list) else node[key]
        rest = ref[len(SCHEMA_PREFIX) :] if ref.startswith(SCHEMA_PREFIX) else ""
        return node, (rest if rest and "/" not in rest else None)


def discriminator_tags(schemas: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Component name -> {tag property: value} for every member of a discriminated union.

    The value is the mapping key that points at the member, or else the member's (prepared)
    schema name, as OpenAPI defines it.
    """
    tags: dict[str, dict[str, Any]] = {}
    stack: list[Any] = [schemas]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        stack.extend(node.values())
        disc = node.get("discriminator")
        if not isinstance(disc, dict) or not isinstance(disc.get("propertyName"), str):
            continue
        prop = disc["propertyName"]
        mapping = disc.get("mapping") if isinstance(disc.get("mapping"), dict) else {}
        by_target: dict[str, Any] = {}
        for key, target in mapping.items():
            by_target.setdefault(_component_name(str(target)), key)
        members = [m for k in ("oneOf", "anyOf") for m in node.get(k) or [] if isinstance(m, dict)]
        for member in members:
            ref = member.get("$ref")
            if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
                member_name = _component_name(ref)
                implied = by_target.get(member_name)
                if implied is None:
                    # Without a mapping entry a const or enum on the member's tag property decides.
                    implied = _declared_tag(schemas, schemas.get(member_name), prop, member_name)
                tags.setdefault(member_name, {}).setdefault(prop, implied)
        for member_name, key in by_target.items():
            tags.setdefault(member_name, {}).setdefault(prop, key)
    return tags


def _declared_tag(schemas: dict[str, Any], schema: Any, prop: str, default: str, seen: int = 0) -> Any:
    """The value a member's own schema gives its tag property (const, or a one-value enum)."""
    if not isinstance(schema, dict) or seen > 8:
        return default
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
        return _declared_tag(schemas, schemas.get(_component_name(ref)), prop, default, seen + 1)
    own = (schema.get("properties") or {}).get(prop)
    if isinstance(own, dict):
        if "const" in own:
            return own["const"]
        if isinstance(own.get("enum"), list) and len(own["enum"]) == 1:
            return own["enum"][0]
    for part in schema.get("allOf") or []:
        found = _declared_tag(schemas, part, prop, default, seen + 1)
        if found != default:
            return found
    return default


def _component_name(target: str) -> str:
    """`#/components/schemas/Dog` or a bare `Dog` (mapping values may be either)."""
    return target[len(SCHEMA_PREFIX) :] if target.startswith(SCHEMA_PREFIX) else target


def _types(schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return [kind]
    if isinstance(kind, list):
        return [k for k in kind if isinstance(k, str)]
    return []


def _implied_type(schema: dict[str, Any]) -> str:
    if "properties" in schema or "additionalProperties" in schema or "required" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    if "format" in schema:
        return "string"
    return "any"


def _has_own_shape(schema: dict[str, Any]) -> bool:
    """Whether the schema says something beside its allOf/oneOf/anyOf parts."""
    return bool(_types(schema)) or any(k in schema for k in ("properties", "additionalProperties", "items"))


def _anything(schema: dict[str, Any]) -> Any:
    """A value for an untyped schema; under `not`, one of a type the `not` does not exclude."""
    excluded = _types(schema["not"]) if isinstance(schema.get("not"), dict) else []
    for kind, value in (("string", _UNTYPED), ("integer", _INTEGER), ("boolean", True)):
        if kind not in excluded:
            return value
    return None


def _merge(parts: list[Any]) -> Any:
    """allOf: objects merge, deeply (a later part wins a shared property unless its value is only
    untyped); otherwise the last real value."""
    real = [p for p in parts if p is not OMIT]
    if not real:
        return OMIT
    if all(isinstance(p, dict) for p in real):
        merged: dict[str, Any] = {}
        for part in real:
            _merge_into(merged, part)
        return merged
    typed = [p for p in real if not isinstance(p, dict) and p != _UNTYPED]
    return typed[-1] if typed else real[-1]


def _merge_into(target: dict[str, Any], part: dict[str, Any]) -> None:
    for key, value in part.items():
        if key in target and isinstance(target[key], dict) and isinstance(value, dict):
            merged = dict(target[key])
            _merge_into(merged, value)
            target[key] = merged
        elif key not in target or value != _UNTYPED:
            target[key] = value
