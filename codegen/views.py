"""Signature and call pieces for each operation, decided here so templates only lay them out."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

from .ir import Operation, Package, Resource


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
    raw_return: str
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


_DEFAULT_STYLE = {"path": "simple", "query": "form", "header": "simple", "cookie": "form"}


def _builtin_safe(annotation: str) -> str:
    """Inside a resource class a method may be called `list`; annotations must still mean the builtin."""
    import re

    return re.sub(r"(?<![\w.])(list|dict)\[", r"builtins.\1[", annotation)


def _param_signature(annotation: str, name: str, required: bool) -> str:
    annotation = _builtin_safe(annotation)
    if required:
        return f"{name}: {annotation}"
    if annotation.endswith("| None") or annotation == "None":
        return f"{name}: {annotation} = None"
    return f"{name}: {annotation} | None = None"


def method_view(op: Operation, job_model: str = "object") -> MethodView:
    params: list[str] = [_param_signature(p.annotation, p.name, True) for p in op.path_params]
    if op.body is not None and op.body.required:
        params.append(f"body: {_builtin_safe(op.body.annotation)}")
    params.append("*")
    if op.body is not None and not op.body.required:
        params.append(f"body: {_builtin_safe(op.body.annotation)} | None = None")
    params.extend(_param_signature(p.annotation, p.name, p.required) for p in op.other_params)
    params.extend(
        [
            "extra_headers: Headers | None = None",
            "extra_query: Query | None = None",
            "extra_body: Body | None = None",
            "timeout: Timeout | NotGiven = NOT_GIVEN",
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
    if ret.kind == "page":
        item = _builtin_safe(ret.item_annotation)
        plain = (f"SyncPage[{item}]", f"AsyncPage[{item}]")
    elif ret.kind == "job":
        plain = (f"SyncJob[{job_model}]", f"AsyncJob[{job_model}]")
    else:
        plain = (_builtin_safe(ret.annotation), _builtin_safe(ret.annotation))
    doc_lines = [op.summary.strip() or f"{op.http_method.upper()} {op.path}"]
    if op.description.strip() and op.description.strip() != op.summary.strip():
        doc_lines += ["", op.description.strip()]
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
        body="body" if op.body is not None else "NOT_GIVEN",
        body_kind=repr(op.body.kind) if op.body else "None",
        content_type=repr(op.body.content_type) if op.body else "None",
        plain_return=plain,
        raw_return="APIResponse[None]" if ret.kind == "location" else f"APIResponse[{_builtin_safe(ret.annotation)}]",
        kind=ret.kind,
        cast=ret.cast,
        items_field=ret.items_field,
        doc=docstring("\n".join(doc_lines)),
        deprecated=op.deprecated,
        op=op,
        accept=repr(ret.media_type) if ret.media_type else "",
    )


_UNSAFE = {"\u2028": " ", "\u2029": " ", "\x0b": " ", "\x0c": " ", "\r": "", "\x85": " "}


def docstring(text: str) -> str:
    """Body of a triple-quoted docstring: nothing in the text can end the string or run code."""
    clean = "".join(_UNSAFE.get(ch, ch) for ch in text if ch == "\n" or ch.isprintable() or ch in _UNSAFE)
    clean = clean.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    clean = "\n".join(line.rstrip() for line in clean.split("\n")).strip()  # trailing spaces fail lint
    # An unescaped quote right before the closing triple quote would end the string early.
    if clean.endswith('"') and (len(clean) - 1 - len(clean[:-1].rstrip("\\"))) % 2 == 0:
        return clean[:-1] + '\\"'
    return clean


def one_line(text: str, limit: int = 160) -> str:
    """Text safe inside a Markdown table cell or a comment: one line, no pipes."""
    clean = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(clean.split()).replace("|", "\\|")[:limit]


def example_call(client_var: str, resource: Resource, view: MethodView) -> str:
    args: list[str] = []
    for p in view.op.path_params:
        args.append(_example_value(p.annotation))
    if view.op.body is not None and view.op.body.required:
        args.append(
            "{...}" if view.op.body.kind in ("json", "multipart", "form") else _example_value(view.op.body.annotation)
        )
    for p in view.op.other_params:
        if p.required:
            args.append(f"{p.name}={_example_value(p.annotation)}")
    return f"{client_var}.{'.'.join(resource.path)}.{view.name}({', '.join(args)})"


def _example_value(annotation: str) -> str:
    if annotation.startswith("int"):
        return "1"
    if annotation.startswith("float"):
        return "1.0"
    if annotation.startswith("bool"):
        return "True"
    if annotation.startswith("bytes"):
        return 'b"..."'
    if annotation.startswith("list"):
        return "[...]"
    if annotation.startswith("Literal["):
        return annotation[8:].split(",")[0].rstrip("]")
    return '"..."'


def used_names(package: Package, resource: Resource) -> set[str]:
    """Model class names a resource module must import."""
    names: set[str] = set()

    def walk(res: Resource) -> None:
        for op in res.operations:
            for text in (
                [p.annotation for p in op.params]
                + [op.returns.annotation, op.returns.item_annotation]
                + ([op.body.annotation] if op.body else [])
            ):
                names.update(_identifiers(text))
            if op.returns.kind == "job" and package.jobs:
                names.update(_identifiers(package.jobs.model))
        for child in res.children:
            walk(child)

    walk(resource)
    # Class names: capitalised, or in a script without case (a schema named in Japanese).
    return {n for n in names if (n[:1].isupper() or not n[:1].isascii()) and n not in _TYPING}


_TYPING = {"Literal", "None"}


def _identifiers(text: str) -> list[str]:
    """Names in an annotation, never the text of its string literals (Literal['A'] values may hold
    quotes and code), found by Python's own tokenizer."""
    import io
    import tokenize

    names: list[str] = []
    previous = ""
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.NAME:
            if previous == "." and names:
                names[-1] += "." + token.string
            else:
                names.append(token.string)
        previous = token.string
    return names
