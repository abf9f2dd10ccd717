"""Check a loaded document against the OpenAPI schema; problems come back as diagnostics."""

from __future__ import annotations

from typing import Any

from ..diagnostics import Diagnostic, join_pointer
from .load import LoadedSpec


def validate_openapi(spec: LoadedSpec, *, limit: int = 20) -> list[Diagnostic]:
    version = str(spec.data.get("openapi", ""))
    if not version:
        return [spec.diagnostic("", "not an OpenAPI 3 document: no 'openapi' field" + (
            " (Swagger 2.0 is not supported)" if "swagger" in spec.data else ""))]
    if not (version.startswith("3.0") or version.startswith("3.1")):
        return [spec.diagnostic("/openapi", f"unsupported OpenAPI version {version!r}; 3.0 and 3.1 are supported")]
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    cls = OpenAPIV31SpecValidator if version.startswith("3.1") else OpenAPIV30SpecValidator
    out: list[Diagnostic] = []
    try:
        for error in cls(spec.data).iter_errors():
            out.append(spec.diagnostic(_pointer(error), _message(error)))
            if len(out) >= limit:
                break
    except Exception as exc:  # the validator raises on some unresolvable references
        out.append(spec.diagnostic("", f"invalid document: {_short(str(exc))}"))
    out.extend(_check_local_refs(spec))
    return out


def _pointer(error: Any) -> str:
    path = list(getattr(error, "absolute_path", []) or getattr(error, "path", []) or [])
    return join_pointer("", *[str(p) for p in path])


def _message(error: Any) -> str:
    return _short(getattr(error, "message", str(error)))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:297] + "..."


def _check_local_refs(spec: LoadedSpec) -> list[Diagnostic]:
    from .load import resolve_pointer

    out: list[Diagnostic] = []

    def visit(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#"):
                try:
                    resolve_pointer(spec.data, ref[1:])
                except KeyError:
                    out.append(spec.diagnostic(join_pointer(pointer, "$ref"), f"unresolvable $ref {ref!r}"))
            for key, value in node.items():
                visit(value, join_pointer(pointer, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                visit(value, join_pointer(pointer, i))

    visit(spec.data, "")
    return out
