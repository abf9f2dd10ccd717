"""The Python surface of a generated package as plain JSON data, to compare two versions of it.

What a caller touches: resources and methods (parameter names, annotations, whether required or
positional; return types), models (fields with types, required, nullable), enums and their values,
exported names (exceptions among them), client options and quotas. Methods come from the IR through
the same view the resource template renders; models and enums from the rendered `models.py`,
because the model generator, not the IR, decides their classes. Texts a caller reads but code does
not depend on (docstrings) are kept as short digests so a description-only change still shows.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..ir.nodes import Operation, Package, Param
from ..ir.typeref import TypeRef
from ..render.views import job_model, method_view
from .annotations import accepts_none, names_in

if TYPE_CHECKING:
    from ..pipeline import Generated  # the pipeline reads release records, which use this package

SURFACE_FORMAT = 1


def digest(*texts: str) -> str:
    joined = "\x00".join(" ".join(t.split()) for t in texts)
    return hashlib.sha256(joined.encode()).hexdigest()[:12] if joined.strip("\x00") else ""


def extract_surface(generated: Generated) -> dict[str, Any]:
    package = generated.package
    files = generated.files
    src = f"src/{package.package}"
    # A large spec's models are a package of modules (codegen/models/builtin/split.py).
    split = [text for rel, text in sorted(files.items()) if rel.startswith(f"{src}/models/_") and rel.endswith(".py")]
    models = models_surface(files.get(f"{src}/models.py") or "\n".join(split))
    methods: dict[str, dict[str, Any]] = {}
    inputs: set[str] = set()
    outputs: set[str] = set()
    jobs = job_model(package)
    for resource, op in package.all_operations():
        entry = _method(op, jobs)
        methods[".".join((*resource.path, op.method_name))] = entry
        for param in entry["params"]:
            inputs |= names_in(param["annotation"])
        if op.body is not None and op.body.fields is not None:
            inputs |= op.body.annotation.names("model")  # the body's model: its fields are the keywords
        outputs |= names_in(entry["returns"]) | names_in(entry["raw_returns"])
    if package.jobs:
        outputs |= package.jobs.model.names("model")
    _assign_roles(models, inputs, outputs)
    return {
        "format": SURFACE_FORMAT,
        "package": package.package,
        "distribution": package.distribution,
        "clients": [package.client, package.async_client],
        "api_version": package.api_version,
        "doc": digest(package.title, package.description),
        "base_url": package.base_url,
        "auth": f"{package.auth.kind}:{package.auth.name}",
        "quotas": [{"requests": q.requests, "per": q.per, "group": q.group} for q in package.quotas],
        "features": {
            "paging": package.paging is not None,
            "jobs": package.jobs is not None,
            "webhooks": package.webhook_header is not None,
        },
        "client_options": _client_options(files.get(f"{src}/_client.py", ""), package.client),
        "resources": sorted(".".join(r.path) for r in _all_resources(package)),
        "methods": methods,
        "models": models,
        "exports": _exports(files.get(f"{src}/__init__.py", "")),
    }


def _all_resources(package: Package) -> list[Any]:
    out = []
    stack = list(package.resources)
    while stack:
        resource = stack.pop()
        out.append(resource)
        stack.extend(resource.children)
    return out


def input_annotation(annotation: TypeRef) -> str:
    """An enum input is typed `Enum | Literal[<its values>]`; the values are the enum's, whose
    changes are reported once, on the enum."""
    return _without_enum_values(annotation).render()


def _without_enum_values(ref: TypeRef) -> TypeRef:
    if ref.kind == "union":
        members = ref.args
        kept = [m for i, m in enumerate(members) if not (m.kind == "literal" and i and members[i - 1].is_model)]
        return replace(ref, args=tuple(_without_enum_values(m) for m in kept)) if len(kept) > 1 else kept[0]
    if ref.kind == "generic":
        return replace(ref, args=tuple(_without_enum_values(a) for a in ref.args))
    return ref


def _param(param: Param, kind: str) -> dict[str, Any]:
    return {
        "name": param.name,
        "annotation": input_annotation(param.annotation),
        "required": param.required,
        "kind": kind,
        "location": param.location,
        "wire": param.wire_name,
        "deprecated": param.deprecated,
        "doc": digest(param.description),
    }


def _method(op: Operation, job_model: TypeRef) -> dict[str, Any]:
    """Parameters in signature order, as resource.py.j2 lays them out from the same view."""
    view = method_view(op, job_model)
    params = [_param(p, "positional") for p in op.path_params]
    body = op.body
    for field in (body.fields or ()) if body is not None else ():
        params.append(
            {
                "name": field.name,
                "annotation": input_annotation(field.annotation),
                "required": field.required,
                "kind": "keyword",
                "location": "body",
                "wire": field.wire_name,
                "deprecated": False,
                "doc": digest(field.description),
            }
        )
    if body is not None and body.fields is None:
        body_param = {
            "name": "body",
            "annotation": body.annotation.render(),
            "required": body.required,
            "kind": "positional" if body.required else "keyword",
            "location": "body",
            "wire": body.content_type,
            "deprecated": False,
            "doc": "",
        }
        params.append(body_param)
    params.extend(_param(p, "keyword") for p in op.other_params)
    return {
        "http": f"{op.http_method.upper()} {op.path}",
        "params": params,
        "returns": view.return_types[0].render(),
        "raw_returns": view.return_types[2].render(),
        "deprecated": op.deprecated,
        "rate_limit_group": op.rate_limit_group,
        "doc": digest(op.summary, op.description),
    }


def models_surface(source: str) -> dict[str, dict[str, Any]]:
    """Classes of a generated models module: pydantic models, root models and enums."""
    if not source.strip():
        return {}
    out: dict[str, dict[str, Any]] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            out[node.name] = _class(node)
    return out


def _class(node: ast.ClassDef) -> dict[str, Any]:
    bases = [ast.unparse(b) for b in node.bases]
    doc = digest(ast.get_docstring(node) or "")
    enum_base = next((b for b in bases if b in ("StrEnum", "IntEnum", "Enum")), None)
    if enum_base:
        members: dict[str, Any] = {}
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                if isinstance(stmt.value, ast.Constant):
                    members[stmt.targets[0].id] = stmt.value.value
        return {"kind": "enum", "base": enum_base, "members": members, "doc": doc}
    root = next((b for b in bases if b.startswith("RootModel[")), None)
    if root:
        # The `root` field, where the class declares one, is what checkers read: a root naming a
        # class defined further down (or deferred) has `RootModel[Any]` for its base.
        declared = _fields(node).get("root")
        annotation = declared["annotation"] if declared else root[len("RootModel[") : -1]
        return {"kind": "root", "annotation": annotation, "doc": doc}
    return {
        "kind": "model",
        "bases": [b for b in bases if b != "BaseModel"],
        "fields": _fields(node),
        "doc": doc,
    }


def _checked_annotation(node: ast.expr) -> str:
    """The annotation as a type checker reads it. In the modules of a split models package a
    forward reference is quoted, and a field naming a class of another module of its reference
    cycle is `Annotated[X, DEFERRED]` (templates/runtime/_deferred.py), which checkers read as X."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        node = ast.parse(node.value, mode="eval").body
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id == "Annotated"
        and isinstance(node.slice, ast.Tuple)
        and isinstance(node.slice.elts[-1], ast.Name)
        and node.slice.elts[-1].id == "DEFERRED"
    ):
        kept = node.slice.elts[:-1]
        node = kept[0] if len(kept) == 1 else ast.Subscript(node.value, ast.Tuple(kept, ast.Load()), ast.Load())
    return ast.unparse(node)


def _fields(node: ast.ClassDef) -> dict[str, dict[str, Any]]:
    fields: dict[str, dict[str, Any]] = {}
    body = node.body
    for index, stmt in enumerate(body):
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
            continue
        annotation = _checked_annotation(stmt.annotation)
        if annotation.startswith(("ClassVar", "typing.ClassVar")):
            continue
        after = body[index + 1] if index + 1 < len(body) else None
        field_doc = ""
        if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str):
            field_doc = after.value.value
        required, alias = _default(stmt.value)
        fields[stmt.target.id] = {
            "annotation": annotation,
            "required": required,
            "nullable": accepts_none(annotation),
            "alias": alias or stmt.target.id,
            "doc": digest(field_doc),
        }
    return fields


def _default(value: ast.expr | None) -> tuple[bool, str | None]:
    """(required, wire name) from `= Field(...)`, `= Field(default=...)`, `= value` or nothing."""
    if value is None:
        return True, None
    if not (isinstance(value, ast.Call) and ast.unparse(value.func) in ("Field", "pydantic.Field")):
        return False, None
    keywords = {k.arg: k.value for k in value.keywords if k.arg}
    alias_node = keywords.get("validation_alias") or keywords.get("alias")
    alias = alias_node.value if isinstance(alias_node, ast.Constant) and isinstance(alias_node.value, str) else None
    if value.args:
        first = value.args[0]
        return isinstance(first, ast.Constant) and first.value is Ellipsis, alias
    return "default" not in keywords and "default_factory" not in keywords, alias


def _assign_roles(models: dict[str, dict[str, Any]], inputs: set[str], outputs: set[str]) -> None:
    """Whether each model is sent (input), received (output) or both, following field types and
    base classes from the method signatures. A model no method reaches counts as an output."""
    reach_in = _closure(models, inputs)
    reach_out = _closure(models, outputs)
    for name, entry in models.items():
        is_in, is_out = name in reach_in, name in reach_out
        entry["role"] = "both" if is_in and is_out else "input" if is_in else "output"


def _closure(models: dict[str, dict[str, Any]], roots: set[str]) -> set[str]:
    seen: set[str] = set()
    todo = [n for n in roots if n in models]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        entry = models[name]
        refs: set[str] = set()
        if entry["kind"] == "model":
            for base in entry["bases"]:
                refs |= names_in(base)
            for item in entry["fields"].values():
                refs |= names_in(item["annotation"])
        elif entry["kind"] == "root":
            refs |= names_in(entry["annotation"])
        todo.extend(r for r in refs if r in models and r not in seen)
    return seen


def _exports(source: str) -> list[str]:
    if not source.strip():
        return []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            if isinstance(node.value, (ast.List, ast.Tuple)):
                return sorted(str(e.value) for e in node.value.elts if isinstance(e, ast.Constant))
    return []


def _client_options(source: str, client: str) -> list[dict[str, Any]]:
    """Keyword arguments of the synchronous client's constructor (the async one mirrors them)."""
    if not source.strip():
        return []
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef) and node.name == client:
            for stmt in node.body:
                if isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__":
                    args = stmt.args
                    return [
                        {
                            "name": arg.arg,
                            "annotation": ast.unparse(arg.annotation) if arg.annotation else "object",
                            "required": default is None,
                            "kind": "keyword",
                            "location": "client",
                            "wire": arg.arg,
                            "deprecated": False,
                            "doc": "",
                        }
                        for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)
                    ]
    return []
