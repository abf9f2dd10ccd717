"""Signature and call pieces for each operation, decided here so templates only lay them out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

from ..ir.nodes import Operation, Package, Resource, Returns
from ..ir.typeref import BOOL, BYTES, FLOAT, INT, NONE, OBJECT, TypeRef, generic, union
from ..pytext import docstring


@dataclass(frozen=True)
class MethodView:
    name: str
    params: tuple[str, ...]  # rendered parameters, in signature order, after self
    query: str  # dict literal
    headers: str
    cookies: str
    path_params: str
    body: str  # expression or "NOT_GIVEN"
    body_kind: str  # repr or "None"
    content_type: str
    plain_return: tuple[str, str]  # (sync, async) annotation
    raw_return: tuple[str, str]  # (sync, async)
    return_types: tuple[TypeRef, TypeRef, TypeRef, TypeRef]  # plain sync, async; raw sync, async
    kind: str
    cast: str
    items_field: str
    doc: str
    deprecated: bool
    op: Operation
    accept: str = ""  # repr of the Accept media type when the answer is not JSON
    styles: str = "{}"  # dict literal: "<location>:<wire name>" -> (style, explode), declared ones only
    wire_path: str = ""  # the path template with literal parts percent-encoded
    deprecated_params: tuple[tuple[str, str], ...] = ()  # (identifier, wire name)

    @property
    def spec_fields(self) -> list[tuple[str, str]]:
        """RequestSpec's arguments after method and path, those that differ from its defaults."""
        fields = [
            ("path_params", self.path_params),
            ("query", self.query),
            ("headers", self.headers),
            ("cookies", self.cookies),
            ("body", self.body),
            ("body_kind", self.body_kind),
            ("content_type", self.content_type),
            ("accept", self.accept),
            ("rate_limit_group", repr(self.op.rate_limit_group)),
            ("styles", self.styles),
        ]
        return [(name, value) for name, value in fields if value not in _SPEC_DEFAULTS]


# What RequestSpec (templates/runtime/_request.py) assumes when an argument is left out.
_SPEC_DEFAULTS = frozenset({"{}", "NOT_GIVEN", "None", ""})
_DEFAULT_STYLE = {"path": "simple", "query": "form", "header": "simple", "cookie": "form"}


def _builtin_safe(annotation: TypeRef) -> str:
    """Inside a resource class a method may be called `list`; annotations must still mean the builtin."""
    return annotation.render(qualified_builtins=True)


def _param_signature(annotation: TypeRef, name: str, required: bool) -> str:
    if required:
        return f"{name}: {_builtin_safe(annotation)}"
    return f"{name}: {_builtin_safe(union([annotation, NONE]))} = None"


# What a resource module calls the models package in its code when it imports the models only
# for type checkers (render.resource_imports): a call loads only the models it parses into.
MODELS_ALIAS = "_model_types"


# Kinds of method whose code parses no response into `cast_to` (resource.py.j2).
UNPARSED = frozenset({"job", "location", "none"})


def _parsed(op: Operation) -> TypeRef | None:
    """What the method's code parses the response into, if it names a type."""
    return op.returns.cast if op.returns.kind not in UNPARSED else None


def _cast(ref: TypeRef | None, models: str) -> str:
    return "None" if ref is None else ref.render(models=models)


def method_view(op: Operation, job_model: TypeRef = OBJECT, *, models: str = "") -> MethodView:
    """`models`: the name the method's code reaches model classes through, if not their own."""
    params: list[str] = [_param_signature(p.annotation, p.name, True) for p in op.path_params]
    fields = op.body.fields if op.body is not None else None
    if op.body is not None and fields is None and op.body.required:
        params.append(f"body: {_builtin_safe(op.body.annotation)}")
    params.append("*")
    if op.body is not None and fields is None and not op.body.required:
        params.append(f"body: {_builtin_safe(op.body.annotation)} | None = None")
    for f in fields or ():
        annotation = _builtin_safe(f.annotation)
        params.append(f"{f.name}: {annotation}" if f.required else f"{f.name}: {annotation} | NotGiven = NOT_GIVEN")
    params.extend(_param_signature(p.annotation, p.name, p.required) for p in op.other_params)
    params.extend(
        [
            "extra_headers: Headers | None = None",
            "extra_query: Query | None = None",
            "extra_body: Body | None = None",
            "timeout: Timeout | NotGiven = NOT_GIVEN",
            "max_wait: float | NotGiven = NOT_GIVEN",
        ]
    )

    def mapping(location: str) -> str:
        items = [f"{json.dumps(p.wire_name)}: {p.name}" for p in op.params if p.location == location]
        return "{" + ", ".join(items) + "}"

    # Declared serialisations only; the runtime's defaults cover the rest (see _styles.py).
    styles = [
        f"{json.dumps(p.location + ':' + p.wire_name)}: ({json.dumps(p.style or _DEFAULT_STYLE[p.location])}, "
        f"{p.explode if p.explode is not None else (p.style or _DEFAULT_STYLE[p.location]) == 'form'})"
        for p in op.params
        if p.style is not None or p.explode is not None
    ]

    ret = op.returns
    types = return_types(ret, job_model)
    doc_lines = [op.summary.strip() or f"{op.http_method.upper()} {op.path}"]
    if op.description.strip() and op.description.strip() != op.summary.strip():
        doc_lines += ["", op.description.strip()]
    doc_lines += _args_section(op)
    doc_lines += _returns_section(op)
    doc_lines += ["", f"HTTP: {op.http_method.upper()} {op.path}"]
    return MethodView(
        name=op.method_name,
        params=tuple(params),
        query=mapping("query"),
        headers=mapping("header"),
        cookies=mapping("cookie"),
        styles="{" + ", ".join(styles) + "}",
        wire_path=quote(op.path, safe="/{}:@!$&'()*+,;=-._~%"),
        deprecated_params=tuple((p.name, p.wire_name) for p in op.params if p.deprecated),
        path_params=mapping("path"),
        body=_body_expression(op),
        body_kind=repr(op.body.kind) if op.body else "None",
        content_type=repr(op.body.content_type) if op.body else "None",
        plain_return=(_builtin_safe(types[0]), _builtin_safe(types[1])),
        raw_return=(_builtin_safe(types[2]), _builtin_safe(types[3])),
        return_types=types,
        kind=ret.kind,
        cast=_cast(ret.cast, models),
        items_field=ret.items_field,
        doc=docstring("\n".join(doc_lines)),
        deprecated=op.deprecated,
        op=op,
        accept=repr(ret.media_type) if ret.media_type else "",
    )


def _runtime(name: str, arg: TypeRef) -> TypeRef:
    return generic(name, arg, origin="runtime")


def return_types(ret: Returns, job_model: TypeRef) -> tuple[TypeRef, TypeRef, TypeRef, TypeRef]:
    """What the plain methods return (sync, async) and what `with_raw_response` methods give
    (sync, async): their `parse()` answers what the plain method returns, a page for list methods."""
    if ret.kind == "page" and ret.item_annotation is not None:
        item = ret.item_annotation
        plain = (_runtime("SyncPage", item), _runtime("AsyncPaginator", item))
        raw = (_runtime("SyncPage", item), _runtime("AsyncPage", item))
    elif ret.kind == "job":
        plain = raw = (_runtime("SyncJob", job_model), _runtime("AsyncJob", job_model))
    else:
        plain = raw = (ret.annotation, ret.annotation)
    if ret.kind == "location":
        raw = (NONE, NONE)
    return (*plain, _runtime("APIResponse", raw[0]), _runtime("APIResponse", raw[1]))


def _body_expression(op: Operation) -> str:
    if op.body is None:
        return "NOT_GIVEN"
    if op.body.fields is None:
        return "body"
    return "{" + ", ".join(f"{json.dumps(f.wire_name)}: {f.name}" for f in op.body.fields) + "}"


def _one_paragraph(text: str) -> str:
    return " ".join(text.split())


def _args_section(op: Operation) -> list[str]:
    """Google-style Args: every parameter with the spec's description."""
    lines: list[str] = []
    for p in op.path_params:
        lines.append(f"{p.name}: {_one_paragraph(p.description) or f'Path parameter `{p.wire_name}`.'}")
    if op.body is not None and op.body.fields is None:
        lines.append(f"body: The request body ({op.body.content_type}).")
    for f in op.body.fields or () if op.body is not None else ():
        text = _one_paragraph(f.description) or f"Body field `{f.wire_name}`."
        if f.renamed:
            text += f" (Body field `{f.wire_name}`, prefixed with `body_`: the plain name is taken.)"
        lines.append(f"{f.name}: {text}")
    for p in op.other_params:
        lines.append(f"{p.name}: {_one_paragraph(p.description) or f'{p.location.title()} parameter `{p.wire_name}`.'}")
    lines += [
        "extra_headers: Headers to add to this request.",
        "extra_query: Query parameters to add to this request.",
        "extra_body: Fields to add to the JSON body of this request.",
        "timeout: Timeout of this request, overriding the client's.",
        "max_wait: Seconds this call may wait for rate limits and retries, overriding the client's.",
    ]
    return ["", "Args:", *(f"    {line}" for line in lines)]


def _returns_section(op: Operation) -> list[str]:
    ret = op.returns
    what = {
        "none": "None.",
        "page": "A page of results; iterating it yields every item of every page.",
        "job": "A handle on the background job the request started.",
        "location": "The URL of the redirect (not followed).",
        "bytes": "The response body as bytes.",
        "text": "The response body as text.",
    }.get(ret.kind, f"The parsed response ({ret.annotation}).")
    return ["", "Returns:", f"    {what}"]


def example_call(client_var: str, path: tuple[str, ...], view: MethodView) -> str:
    args: list[str] = []
    for p in view.op.path_params:
        args.append(_example_value(p.annotation))
    body = view.op.body
    if body is not None and body.fields is not None:
        args.extend(f"{f.name}={_example_value(f.annotation)}" for f in body.fields if f.required)
    elif body is not None and body.required:
        args.append("{...}" if body.kind in ("json", "multipart", "form") else _example_value(body.annotation))
    for p in view.op.other_params:
        if p.required:
            args.append(f"{p.name}={_example_value(p.annotation)}")
    return f"{client_var}.{'.'.join(path)}.{view.name}({', '.join(args)})"


def _example_value(annotation: TypeRef) -> str:
    first = annotation.without_none().members()[0]
    if first in (INT, FLOAT, BOOL, BYTES):
        return {INT: "1", FLOAT: "1.0", BOOL: "True", BYTES: 'b"..."'}[first]
    if first.kind == "generic" and first.name in ("list", "abc.Sequence"):
        return "[...]"
    if first.kind == "literal":
        return repr(first.values[0])
    return '"..."'


def job_model(package: Package) -> TypeRef:
    """What a job's status operation answers: the type a SyncJob / AsyncJob handle carries."""
    return package.jobs.model if package.jobs else OBJECT


def _types_named(package: Package, resource: Resource, casts: bool = True) -> list[TypeRef]:
    """The types a resource module's code names: signatures, return annotations and (unless not
    `casts`) what bodies are parsed into (resource.py.j2)."""
    refs: list[TypeRef] = []
    jobs = job_model(package)

    def walk(res: Resource) -> None:
        for op in res.operations:
            refs.extend(p.annotation for p in op.params)
            refs.extend(return_types(op.returns, jobs)[:2])
            if casts and (parsed := _parsed(op)) is not None:
                refs.append(parsed)
            # A body spread into keyword arguments is named by its fields' types, not its own.
            if op.body is not None and op.body.fields is not None:
                refs.extend(f.annotation for f in op.body.fields)
            elif op.body is not None:
                refs.append(op.body.annotation)
        for child in res.children:
            walk(child)

    walk(resource)
    return refs


def used_names(package: Package, resource: Resource, casts: bool = True) -> set[str]:
    """Model class names a resource module must import; without `casts`, those its annotations
    name (what a module reaching the models through a package name imports for checkers)."""
    return {name for ref in _types_named(package, resource, casts) for name in ref.names("model")}


def parsed_into(resource: Resource) -> dict[str, set[str]]:
    """{method: the model classes its code parses a response into}, for every method of the
    resource and its children that parses one (resource.py.j2: what `cast_to` names)."""
    out: dict[str, set[str]] = {}

    def walk(res: Resource, where: str) -> None:
        for op in res.operations:
            if (parsed := _parsed(op)) is not None and (named := parsed.names("model")):
                out[f"{where}.{op.method_name}"] = named
        for child in res.children:
            walk(child, f"{where}.{child.attr}")

    walk(resource, resource.attr)
    return out


def used_inputs(package: Package, resource: Resource) -> set[str]:
    """TypedDict names (and FileInput) a resource module's signatures name."""
    refs = _types_named(package, resource)
    return {name for ref in refs for name in ref.names("input") | (ref.names("runtime") & {"FileInput"})}
