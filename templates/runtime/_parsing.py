"""Turning response bodies into the declared types.

Lenient by default: the server is the truth, so a 2xx body that does not match its model (a
required field missing, a value of another type, a field the spec never listed) still becomes
that model, built from what came back: fields that validate are typed, nested objects become
their models by the same rule, and what does not fit is kept as sent. A debug line names the
first mismatch. With ``strict=True`` (the client's ``strict_response_validation``) a mismatch
raises APIResponseValidationError instead. A body that is not JSON where JSON is declared always
raises.
"""

from __future__ import annotations

import logging
import types
import typing
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Union

import httpx
import pydantic

from ._deferred import resolved
from ._exceptions import APIResponseValidationError

_logger = logging.getLogger((__package__ or "client") + ".parsing")


@lru_cache(maxsize=1024)
def _adapter(cast_to: Any) -> pydantic.TypeAdapter[Any]:
    return pydantic.TypeAdapter(cast_to)


def parse_body(response: httpx.Response, cast_to: Any, *, strict: bool = False) -> Any:
    """Turn a 2xx response into the declared type."""
    if cast_to is None:
        return None
    if cast_to is bytes:
        return response.content
    if cast_to is str:
        return response.text
    if response.status_code in (204, 205) and not response.content:
        return None  # "No Content" among an operation's answers: its method returns `X | None`
    return validate(read_json(response), cast_to, response, strict=strict)


def read_json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        snippet = " ".join(response.text[:200].split())
        raise APIResponseValidationError(
            f"Expected a JSON body from {response.request.method} {response.request.url.path}, "
            f"got {response.headers.get('content-type', 'no content type')}: {snippet!r}",
            response=response,
            body=response.text,
        ) from None


def validate(data: object, cast_to: Any, response: httpx.Response, *, strict: bool = False) -> Any:
    try:
        return _adapter(cast_to).validate_python(data)
    except pydantic.ValidationError as exc:
        source = f"Response from {response.request.method} {response.request.url.path}"
        try:
            return recover(exc, cast_to, data, strict=strict, source=source)
        except Mismatch as mismatch:
            raise APIResponseValidationError(str(mismatch), response=response, body=data) from None


def parse_value(data: object, cast_to: Any, *, source: str) -> Any:
    """`data` (JSON that came from elsewhere than a response, such as a webhook delivery) as
    `cast_to`, leniently as responses are; raises `Mismatch` when its shape cannot fit."""
    try:
        return _adapter(cast_to).validate_python(data)
    except pydantic.ValidationError as exc:
        return recover(exc, cast_to, data, strict=False, source=source)


class Mismatch(ValueError):
    """The data does not match its declared type, and strictness or its shape rules out a lenient build."""


def recover(exc: pydantic.ValidationError, cast_to: Any, data: object, *, strict: bool, source: str) -> Any:
    """After a failed validation: the lenient build (with a debug line naming the first mismatch),
    or `Mismatch` when `strict` or when the shape of `data` cannot give what `cast_to` promises."""
    first = exc.errors()[0]
    where = "/".join(str(p) for p in first["loc"]) or "body"
    what = f"{source} does not match the declared type at {where}: {first['msg']}"
    if strict or not _shape_fits(cast_to, data):
        raise Mismatch(what)
    _logger.debug("%s (%d mismatches); keeping the values as sent", what, exc.error_count())
    return build_lenient(cast_to, data)


def _shape_fits(tp: Any, data: object) -> bool:
    """Whether a lenient build can give the caller what the signature promises: an object for a
    model, an array for a list. An array where an object is declared is no model at all."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _shape_fits(typing.get_args(tp)[0], data)
    if origin in (Union, types.UnionType):
        if data is None:
            return type(None) in typing.get_args(tp)
        return any(_shape_fits(arg, data) for arg in typing.get_args(tp) if arg is not type(None))
    if isinstance(tp, type) and issubclass(tp, pydantic.RootModel):
        return _shape_fits(resolved(tp.model_fields["root"].annotation), data)
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        return isinstance(data, Mapping)
    if origin in (list, tuple, set, frozenset, typing.Sequence):
        return isinstance(data, list)
    if origin in (dict, typing.Mapping):
        return isinstance(data, Mapping)
    return True


def build_lenient(tp: Any, data: object) -> Any:
    """`data` as `tp` where it fits, as sent where it does not; never raises."""
    try:
        return _adapter(tp).validate_python(data)
    except (pydantic.ValidationError, TypeError, pydantic.PydanticSchemaGenerationError):
        pass
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return build_lenient(typing.get_args(tp)[0], data)
    if isinstance(tp, type) and issubclass(tp, pydantic.RootModel):
        return tp.model_construct(build_lenient(resolved(tp.model_fields["root"].annotation), data))
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        return _construct(tp, data) if isinstance(data, Mapping) else data
    args = typing.get_args(tp)
    if origin in (Union, types.UnionType):
        return _lenient_union(args, data)
    if origin in (list, tuple, set, frozenset, typing.Sequence) and isinstance(data, list) and args:
        return [build_lenient(args[0], item) for item in data]
    if origin in (dict, typing.Mapping) and isinstance(data, Mapping) and len(args) == 2:
        return {key: build_lenient(args[1], value) for key, value in data.items()}
    return data


def _lenient_union(args: tuple[Any, ...], data: object) -> Any:
    options = [a for a in args if a is not type(None)]
    if data is None:
        return None
    models = [a for a in options if isinstance(a, type) and issubclass(a, pydantic.BaseModel)]
    if isinstance(data, Mapping) and models:
        keys = set(data)
        best = max(models, key=lambda model: (*_literal_fit(model, data), len(keys & _wire_names(model))))
        return build_lenient(best, data)
    if len(options) == 1:
        return build_lenient(options[0], data)
    return data


@lru_cache(maxsize=512)
def _field_lookup(model: type[pydantic.BaseModel]) -> dict[str, str]:
    """Wire name (and Python name) -> field name."""
    lookup: dict[str, str] = {}
    for name, info in model.model_fields.items():
        lookup[name] = name
        for alias in (info.alias, info.validation_alias, info.serialization_alias):
            if isinstance(alias, str):
                lookup[alias] = name
    return lookup


def _wire_names(model: type[pydantic.BaseModel]) -> frozenset[str]:
    return frozenset(_field_lookup(model))


@lru_cache(maxsize=512)
def _literal_fields(model: type[pydantic.BaseModel]) -> tuple[tuple[frozenset[str], tuple[object, ...]], ...]:
    """(wire and Python names, allowed values) of each field typed as a Literal: the members of
    a discriminated union tell themselves apart by these."""
    found = []
    for name, info in model.model_fields.items():
        if typing.get_origin(info.annotation) is typing.Literal:
            names = {name, *(a for a in (info.alias, info.validation_alias) if isinstance(a, str))}
            found.append((frozenset(names), typing.get_args(info.annotation)))
    return tuple(found)


def _literal_fit(model: type[pydantic.BaseModel], data: Mapping[Any, Any]) -> tuple[int, int]:
    """(minus the Literal fields `data` contradicts, the Literal fields it matches)."""
    wrong = right = 0
    for names, allowed in _literal_fields(model):
        key = next((n for n in names if n in data), None)
        if key is not None:
            if data[key] in allowed:
                right += 1
            else:
                wrong += 1
    return -wrong, right


def _construct(model: type[pydantic.BaseModel], data: Mapping[Any, Any]) -> pydantic.BaseModel:
    lookup = _field_lookup(model)
    values: dict[str, Any] = {}
    extras: dict[str, Any] = {}
    for key, value in data.items():
        name = lookup.get(key) if isinstance(key, str) else None
        if name is None:
            extras[str(key)] = value
            continue
        values[name] = build_lenient(resolved(model.model_fields[name].annotation), value)
    built = model.model_construct(_fields_set=set(values), **values)
    if extras:
        # Kept as sent and reachable like the fields the spec never listed (`extra="allow"`).
        current = built.__pydantic_extra__
        if current is None:
            object.__setattr__(built, "__pydantic_extra__", dict(extras))
        else:
            current.update(extras)
    return built
