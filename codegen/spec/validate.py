"""Check a loaded document against the OpenAPI schema; problems come back as diagnostics."""

from __future__ import annotations

from typing import Any

from ..diagnostics import Diagnostic, join_pointer
from .load import LoadedSpec
from .structure import structural_problems


def validate_openapi(spec: LoadedSpec, *, limit: int = 20) -> list[Diagnostic]:
    version = str(spec.data.get("openapi", ""))
    if not version:
        return [
            spec.diagnostic(
                "",
                "not an OpenAPI 3 document: no 'openapi' field"
                + (" (Swagger 2.0 is not supported)" if "swagger" in spec.data else ""),
            )
        ]
    if not (version.startswith("3.0") or version.startswith("3.1")):
        return [spec.diagnostic("/openapi", f"unsupported OpenAPI version {version!r}; 3.0 and 3.1 are supported")]
    # Our own checks, not openapi-spec-validator: its semantic pass checks every default and example
    # against its schema, rejects real-world documents for that (GitHub's `default: ''` on a uri
    # property) and takes most of a minute on a large one; its JSON Schema pass takes seconds and
    # answers "is not valid under any of the given schemas" where these name the field.
    out = [spec.diagnostic(pointer, message) for pointer, message in structural_problems(spec.data, version)]
    out.extend(_check_local_refs(spec))
    return out[:limit]


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
