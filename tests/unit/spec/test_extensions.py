"""The `x-sdk` extensions: defaults without pydantic where a spec has none, and pydantic's checks
(unknown keys, patterns, bounds, the field checks) where it has one, each error at its key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from codegen.diagnostics import SpecError
from codegen.pipeline import generate_package
from codegen.spec.extensions import (
    DocumentSdk,
    ErrorEnvelope,
    ErrorField,
    OperationSdk,
    Paginate,
    QuotaWindow,
    SdkInvalid,
    WebhookSignature,
    read_sdk,
)


def _errors(kind: type[object], value: object) -> list[tuple[tuple[object, ...], str, str]]:
    with pytest.raises(SdkInvalid) as raised:
        read_sdk(kind, value)
    return [(tuple(e["loc"]), e["type"], e["msg"]) for e in raised.value.errors]


@pytest.mark.parametrize("value", [None, {}, []])
def test_no_extension_gives_the_defaults(value: object) -> None:
    assert read_sdk(DocumentSdk, value) == DocumentSdk()
    assert read_sdk(OperationSdk, value) == OperationSdk()


def test_a_spec_without_x_sdk_is_generated_without_importing_pydantic(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\nservers: [{url: 'https://api.example.com'}]\n"
        "paths:\n  /a:\n    get:\n      operationId: getA\n      responses: {'204': {description: ok}}\n",
        encoding="utf-8",
    )
    probe = (
        "import sys; from pathlib import Path; from codegen.pipeline import generate_package; "
        f"generate_package(Path({str(spec)!r})); print('pydantic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_values_are_validated_and_converted() -> None:
    sdk = read_sdk(
        DocumentSdk,
        {
            "package": "pets",
            "rate_limits": [{"requests": "100", "per": 60}],
            "error_envelope": {"fields": {"why": {"paths": ["why"], "shown": "note", "label": "why: "}}},
            "webhook_signature": {"header": "X-Signature"},
        },
    )
    assert sdk.package == "pets"
    assert sdk.rate_limits == [QuotaWindow(requests=100, per=60.0)]
    assert sdk.error_envelope.fields == {"why": ErrorField(paths=["why"], shown="note", label="why: ")}
    assert sdk.webhook_signature == WebhookSignature(header="X-Signature")
    assert read_sdk(OperationSdk, {"paginate": {"items_field": "data"}}).paginate == Paginate(items_field="data")
    assert read_sdk(OperationSdk, {"paginate": False}).paginate is False


def test_the_envelope_shorthands() -> None:
    assert read_sdk(DocumentSdk, {"error_envelope": "problem"}).error_envelope == ErrorEnvelope(problem_details=True)
    assert read_sdk(DocumentSdk, {"error_envelope": "generic"}).error_envelope == ErrorEnvelope()


@pytest.mark.parametrize(
    ("kind", "value", "loc", "message"),
    [
        (DocumentSdk, {"pakage": "x"}, ("pakage",), None),
        (DocumentSdk, {"error_envelope": {"items": {"pointr": ["at"]}}}, ("error_envelope", "items", "pointr"), None),
        (DocumentSdk, {"package": "not-an-identifier"}, ("package",), "String should match pattern"),
        (DocumentSdk, {"env_var": "lower"}, ("env_var",), "String should match pattern"),
        (DocumentSdk, {"rate_limits": [{"requests": 0, "per": 1}]}, ("rate_limits", 0, "requests"), "greater than 0"),
        (DocumentSdk, {"rate_limit_holds": "everything"}, ("rate_limit_holds",), "Input should be"),
        (DocumentSdk, {"models": "other"}, ("models",), "Input should be"),
        (DocumentSdk, {"webhook_signature": {"header": "bad header"}}, ("webhook_signature", "header"), "pattern"),
        (DocumentSdk, {"error_envelope": {"fields": {"x": {"paths": []}}}}, None, "at least 1 item"),
        (DocumentSdk, {"error_envelope": {"fields": {"status_code": {"paths": ["s"]}}}}, None, "every error has"),
        (DocumentSdk, {"error_envelope": {"fields": {"_x": {"paths": ["s"]}}}}, None, "public Python attribute"),
        (DocumentSdk, {"jobs": {"get_operation": "getJob"}}, ("jobs", "succeeded"), "Field required"),
        (DocumentSdk, "not a mapping", (), None),
        (OperationSdk, {"paginate": True}, None, "true is implied by detection"),
        (OperationSdk, {"method": "Get"}, ("method",), "String should match pattern"),
        (OperationSdk, {"resource": "a..b"}, ("resource",), "String should match pattern"),
    ],
)
def test_what_is_refused_is_named_at_its_key(
    kind: type[object], value: object, loc: tuple[object, ...] | None, message: str | None
) -> None:
    errors = _errors(kind, value)
    assert errors
    if loc is not None:
        assert loc in [e[0] for e in errors], errors
    if message is not None:
        assert any(message in e[2] for e in errors), errors


def test_an_unknown_key_is_reported_as_a_typo_at_its_pointer(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: T, version: '1'}\nservers: [{url: 'https://api.example.com'}]\n"
        "x-sdk:\n  error_envelope:\n    problem_detail: true\n"
        "paths:\n  /a:\n    get:\n      operationId: getA\n      x-sdk: {methd: a, method: Bad}\n"
        "      responses: {'204': {description: ok}}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as raised:
        generate_package(spec)
    found = sorted((d.pointer, d.message, d.line) for d in raised.value.diagnostics)
    assert found == [("/x-sdk/error_envelope/problem_detail", "x-sdk: unknown key (typo?)", 6)]
    spec.write_text(
        spec.read_text(encoding="utf-8").replace("    problem_detail: true\n", "    problem_details: true\n")
    )
    with pytest.raises(SpecError) as raised:
        generate_package(spec)
    found = sorted((d.pointer, d.message) for d in raised.value.diagnostics)
    assert found == [
        ("/paths/~1a/get/x-sdk/methd", "x-sdk: unknown key (typo?)"),
        ("/paths/~1a/get/x-sdk/method", "x-sdk: String should match pattern '^[a-z_][a-z0-9_]*$'"),
    ]
