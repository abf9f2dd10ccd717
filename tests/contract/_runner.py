"""Run every planned call against Prism with the generated sync or async client and judge it."""

from __future__ import annotations

import asyncio
import importlib
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pydantic

from ._calls import ApiPlan, Call, OpKey, unknown_fields

CLIENTS = {"reloop": ("reloop", "Reloop", "AsyncReloop"), "reply": ("replyio", "Reply", "AsyncReply")}


@dataclass
class Report:
    api: str
    mode: str
    spec_ops: list[OpKey]
    called: set[OpKey] = field(default_factory=set)
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def coverage(self) -> str:
        answers = "the spec's examples" if self.mode == "sync" else "answers generated from the schemas"
        called = len(self.called & set(self.spec_ops))
        return f"{self.api}: {called}/{len(self.spec_ops)} operations called ({self.mode} client, {answers})"


@dataclass
class _Wire:
    """What Prism answered to each request of the call under way."""

    current: list[tuple[int, str, str]] = field(default_factory=list)

    def record(self, response: httpx.Response) -> None:
        violations = response.headers.get("sl-violations", "")
        self.current.append(
            (response.status_code, f"{response.request.method} {response.request.url.path}", violations)
        )


def _client(api: str, base_url: str, http: httpx.Client | httpx.AsyncClient, is_async: bool) -> Any:
    package, sync_name, async_name = CLIENTS[api]
    module = importlib.import_module(package)
    cls = getattr(module, async_name if is_async else sync_name)
    # The sync run gets the spec's examples back; the async run asks Prism to generate answers
    # from the schemas instead, so the models meet data nobody here picked.
    headers = {"Prefer": "dynamic=true"} if is_async else None
    # No client-side quotas (Prism has none) and no retries: every answer is seen as it came.
    return cls(
        api_key="rl_contract_test_key",
        base_url=base_url,
        http_client=http,
        rate_limits=[],
        max_retries=0,
        default_headers=headers,
    )


def as_model_kwargs(api: str, call: Call) -> dict[str, Any]:
    """Keyword body fields that take a model get the model (the sync run passes TypedDict-shaped
    dicts), so both ways reach the wire as the spec describes."""
    body = call.op.body
    if body is None or body.fields is None:
        return call.kwargs
    import datetime
    import re
    import typing

    models = importlib.import_module(CLIENTS[api][0] + ".models")
    namespace = {**vars(models), "datetime": datetime, "Literal": typing.Literal, "builtins": __builtins__}
    out = dict(call.kwargs)
    for body_field in body.fields:
        if body_field.name not in out:
            continue
        annotation = re.sub(r" \| \w+Param\b", "", str(body_field.annotation)).replace("abc.Sequence[", "list[")
        if "FileInput" in annotation or not re.search(r"\b[A-Z]\w*\b", annotation):
            continue
        try:
            model_type = eval(annotation, namespace)  # an annotation the generator wrote
            out[body_field.name] = pydantic.TypeAdapter(model_type).validate_python(out[body_field.name])
        except Exception:  # noqa: BLE001 - a value no model takes stays as the sync run sends it
            continue
    return out


def as_models(api: str, call: Call) -> tuple[Any, ...]:
    """The call's arguments with a JSON body turned into the generated request model(s).

    The async run sends models, the sync run plain dicts: both ways of passing a body must produce
    what the spec describes (aliases, dates, unions and all).
    """
    body = call.op.body
    if body is None or body.kind != "json" or not body.required or body.fields is not None:
        return call.args
    annotation = str(body.annotation).replace(" | abc.Mapping[str, object]", "").replace("abc.Sequence[", "list[")
    if "abc." in annotation or not any(part[:1].isupper() for part in annotation.replace("[", " ").split()):
        return call.args
    models = importlib.import_module(CLIENTS[api][0] + ".models")
    model_type = eval(annotation, vars(models))  # an annotation the generator wrote; names are model classes
    value = pydantic.TypeAdapter(model_type).validate_python(call.args[-1])
    return (*call.args[:-1], value)


def _bound(client: Any, call: Call) -> Any:
    target = client
    for attr in call.resource:
        target = getattr(target, attr)
    return getattr(target, call.method)


def _judge(call: Call, result: Any, wire: _Wire, report: Report, error: BaseException | None) -> None:
    problems: list[str] = []
    for status, line, violations in wire.current:
        if status >= 400:
            problems.append(f"Prism answered {status} to {line}: {_pretty(violations) or 'no sl-violations header'}")
        elif violations:
            report.warnings.append(f"{call.label}: {_pretty(violations)}")
    if error is not None:
        problems.append(f"{type(error).__name__}: {error}")
        body = getattr(error, "body", None)
        if body is not None:
            problems.append(f"body: {json.dumps(body, default=str)[:400]}")
    if not wire.current:
        problems.append("no request reached Prism")
    if error is None:
        # Examples must use only declared fields; generated answers may add keys wherever a
        # schema leaves additionalProperties open, and models keep those as extras by design.
        problems += _check_result(call, result, exact_fields=report.mode == "sync")
    if problems:
        report.failures.append(f"{call.label}\n    " + "\n    ".join(problems))
    else:
        report.called.add(call.key)


def _check_result(call: Call, result: Any, *, exact_fields: bool) -> list[str]:
    kind = call.op.returns.kind
    parsed: Any = result
    if kind == "page":
        if not isinstance(result.items, list):
            return [f"page items are {type(result.items).__name__}, not a list"]
        parsed = result.response
    elif kind == "job":
        if not result.id:
            return ["202 answer named no job id"]
        return []
    elif kind == "none":
        return [] if result is None else [f"expected None, got {type(result).__name__}"]
    elif kind == "text":
        return [] if isinstance(result, str) and result else ["expected a non-empty text body"]
    elif kind == "bytes":
        return [] if isinstance(result, bytes) else ["expected bytes"]
    elif kind == "location":
        return (
            []
            if isinstance(result, str) and result.startswith("http")
            else [f"expected the Location URL, got {result!r}"]
        )
    expected = str(call.op.returns.cast)
    if expected.isidentifier() and type(parsed).__name__ != expected:
        return [f"parsed into {type(parsed).__name__}, declared {expected}"]
    extras = unknown_fields(parsed) if exact_fields else []
    return [f"response fields the model does not declare: {', '.join(extras[:8])}"] if extras else []


def _pretty(violations: str) -> str:
    if not violations:
        return ""
    try:
        items = json.loads(violations)
    except ValueError:
        return violations
    return "; ".join(
        f"[{v.get('severity')}] {'/'.join(map(str, v.get('location', [])))}: {v.get('message')}" for v in items
    )


def run_sync(plan: ApiPlan, base_url: str) -> Report:
    report = Report(plan.name, "sync", plan.spec_ops)
    wire = _Wire()
    with httpx.Client(event_hooks={"response": [wire.record]}, timeout=30.0) as http:
        client = _client(plan.name, base_url, http, is_async=False)
        for call in plan.calls:
            wire.current = []
            result: Any = None
            error: BaseException | None = None
            try:
                result = _bound(client, call)(*call.args, **call.kwargs)
            except Exception as exc:  # every failure is reported, with Prism's reasons
                error = exc
            _judge(call, result, wire, report, error)
    return report


def run_async(plan: ApiPlan, base_url: str) -> Report:
    report = Report(plan.name, "async", plan.spec_ops)
    wire = _Wire()

    async def record(response: httpx.Response) -> None:
        wire.record(response)

    async def main() -> None:
        async with httpx.AsyncClient(event_hooks={"response": [record]}, timeout=30.0) as http:
            client = _client(plan.name, base_url, http, is_async=True)
            for call in plan.calls:
                wire.current = []
                result: Any = None
                error: BaseException | None = None
                try:
                    result = await _bound(client, call)(*as_models(plan.name, call), **as_model_kwargs(plan.name, call))
                except Exception as exc:  # every failure is reported, with Prism's reasons
                    error = exc
                _judge(call, result, wire, report, error)

    asyncio.run(main())
    return report
