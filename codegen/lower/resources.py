"""Operations grouped into the resource tree, with names that cannot clash."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

from ..ir.nodes import (
    Operation,
    Resource,
)
from ..naming import (
    numbered,
    numbered_after_underscore,
    pascal,
    safe_attribute,
    snake,
    unique_name,
)
from ..reserved import CLIENT_ATTRIBUTES, RESOURCE_ATTRIBUTES
from .context import Context
from .operations import RawOp


def build_resources(ctx: Context, raw_ops: list[RawOp]) -> tuple[Resource, ...]:
    tree: dict[tuple[str, ...], list[Operation]] = OrderedDict()
    for raw in raw_ops:
        for depth in range(1, len(raw.resource) + 1):
            tree.setdefault(raw.resource[:depth], [])
        tree[raw.resource].append(raw.operation)

    models = set((ctx.prepared.document.get("components") or {}).get("schemas") or {})
    roots: list[Resource] = []
    for path in [p for p in tree if len(p) == 1]:
        resource = _build(ctx, tree, models, path)
        if resource.attr in CLIENT_ATTRIBUTES:
            # A trailing underscore, as for keywords: client.close_ next to client.close().
            taken_roots = CLIENT_ATTRIBUTES | {r.attr for r in roots} | {p[0] for p in tree}
            name = unique_name(resource.attr + "_", taken_roots)
            ctx.warn(
                resource.operations[0].pointer if resource.operations else "/paths",
                f"resource name {resource.attr!r} collides with a client attribute; it is client.{name}",
            )
            resource = replace(resource, attr=name)
        roots.append(resource)
    return tuple(roots)


def _build(
    ctx: Context, tree: dict[tuple[str, ...], list[Operation]], models: set[str], path: tuple[str, ...]
) -> Resource:
    # A function of the module, not a closure calling itself: that would be a reference cycle
    # holding the context, and with it the loaded document, until the collector found it.
    children = tuple(_build(ctx, tree, models, p) for p in tree if len(p) == len(path) + 1 and p[: len(path)] == path)
    taken = {c.attr for c in children} | RESOURCE_ATTRIBUTES
    ops = _unique_methods(ctx, path, tree[path], taken)
    return Resource(
        attr=path[-1],
        path=path,
        class_name=_class_name(ctx, path, tree[path], models),
        operations=tuple(ops),
        children=children,
    )


def _class_name(ctx: Context, path: tuple[str, ...], ops: list[Operation], models: set[str]) -> str:
    """The stem of the resource's classes (`<stem>Resource`, its Async and raw/streaming twins).
    A resource module imports the models its methods use, so a model called `TagsResource` would
    be shadowed by the class of the `tags` resource: the resource class takes another name."""
    wanted = "".join(pascal(p) for p in path)
    stem = unique_name(wanted, _ShadowedStems(models), numbered)
    if stem != wanted:
        ctx.warn(
            ops[0].pointer if ops else "/paths",
            f"a model is named like the class of the {'.'.join(path)} resource; that class is {stem}Resource",
        )
    return stem


class _ShadowedStems:
    """Class stems whose resource classes a model already names."""

    def __init__(self, models: set[str]) -> None:
        self.models = models

    def __contains__(self, stem: object) -> bool:
        names = (f"{prefix}{stem}Resource{suffix}" for prefix in ("", "Async") for suffix in _TWINS)
        return any(name in self.models for name in names)


_TWINS = ("", "WithRawResponse", "WithStreamingResponse")


def _unique_methods(ctx: Context, path: tuple[str, ...], ops: list[Operation], taken: set[str]) -> list[Operation]:
    seen: dict[str, Operation] = {}
    out: list[Operation] = []
    for op in ops:
        name = op.method_name
        if name in taken:
            # Like keywords, a trailing underscore: users.keys_() next to the users.keys resource.
            name = unique_name(name, taken | {o.method_name for o in ops})
            ctx.warn(
                op.pointer,
                f"method name {op.method_name!r} collides with an attribute of {'.'.join(path)}; it is {name}",
            )
            op = replace(op, method_name=name)
        if name in seen:
            if op.operation_id and seen[name].operation_id and op.operation_id != seen[name].operation_id:
                alt = safe_attribute(snake(op.operation_id))
                if alt not in seen:
                    ctx.warn(op.pointer, f"method {'.'.join(path)}.{name} already exists; this one is {alt}")
                    name = alt
            if name in seen:
                name = unique_name(op.method_name, seen, numbered_after_underscore)
                ctx.warn(op.pointer, f"method {'.'.join(path)}.{op.method_name} already exists; this one is {name}")
            op = replace(op, method_name=name)
        seen[name] = op
        out.append(op)
    return out
