"""Check a loaded document: refuse what cannot be read, repair the rest with a warning each."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from ..diagnostics import Diagnostic, join_pointer
from .load import LoadedSpec, ref_strings, resolve_pointer
from .structure import DROP, KEEP, structural_problems
from .walk import walk_with_pointers


def validate_openapi(spec: LoadedSpec) -> list[Diagnostic]:
    """Errors (the document is not OpenAPI 3) and warnings (each defect and its fallback, already
    applied to spec.data so the later stages see a well-formed document)."""
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
    problems = list(structural_problems(spec.data, version))
    problems += [(pointer, message, DROP) for pointer, message in _unresolvable_local_refs(spec.data, spec.refs)]
    out = [*spec.load_warnings, *(spec.diagnostic(pointer, message, "warning") for pointer, message, _ in problems)]
    # Innermost first, so that dropping a value never moves one still to be repaired.
    for pointer, _, fix in sorted(problems, key=lambda p: p[0].count("/"), reverse=True):
        if fix is not KEEP:
            _apply(spec.data, pointer, fix)
    return out


def _apply(data: Any, pointer: str, fix: Any) -> None:
    if not pointer:
        return
    parent_pointer, _, token = pointer.rpartition("/")
    key = unquote(token).replace("~1", "/").replace("~0", "~")
    try:
        parent = resolve_pointer(data, parent_pointer)
    except KeyError:
        return
    if isinstance(parent, dict) and key in parent:
        if fix is DROP:
            del parent[key]
        else:
            parent[key] = fix
    elif isinstance(parent, list) and key.isdigit() and int(key) < len(parent):
        parent[int(key)] = {} if fix is DROP else fix  # indices of later items stay valid


# Values that are data, not schemas (a "$ref" key in an example is just data).
def _unresolvable_local_refs(data: dict[str, Any], refs: frozenset[str] | None = None) -> list[tuple[str, str]]:
    """A local $ref that leads nowhere is dropped: the schema is Any, a parameter is skipped, a
    response or body has no content. Each distinct ref is resolved once (`refs`, when the loader
    knows them); only a document with a broken one is walked for where they are."""
    if refs is None:
        refs = ref_strings(data)
    broken = {ref for ref in refs if ref.startswith("#") and not _resolves(data, ref)}
    if not broken:
        return []
    out: list[tuple[str, str]] = []
    for node, pointer in walk_with_pointers(data):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in broken:
            out.append((join_pointer(pointer, "$ref"), f"unresolvable $ref {ref!r}; ignored (typed Any)"))
    return sorted(out)


def _resolves(data: dict[str, Any], ref: str) -> bool:
    try:
        resolve_pointer(data, ref[1:])
    except KeyError:
        return False
    return True
