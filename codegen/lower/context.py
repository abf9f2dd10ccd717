"""What every lowering step shares: the document, its prepared copy, the type functions and the
diagnostics found so far."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostic, SpecError, join_pointer
from ..prepare import Prepared
from ..spec.extensions import DocumentSdk, SdkInvalid, read_sdk
from ..spec.load import LoadedSpec
from ..types.inputs import InputTypes
from ..types.schema import TypeNamer


@dataclass
class Context:
    spec: LoadedSpec
    prepared: Prepared
    namer: TypeNamer
    sdk: DocumentSdk
    inputs: InputTypes
    diagnostics: list[Diagnostic] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)

    def error(self, pointer: str, message: str) -> None:
        self.diagnostics.append(self.spec.diagnostic(pointer, message))

    def warn(self, pointer: str, message: str) -> None:
        self.warnings.append(self.spec.diagnostic(pointer, message, "warning"))


def read_document_sdk(spec: LoadedSpec) -> DocumentSdk:
    try:
        return read_sdk(DocumentSdk, spec.data.get("x-sdk"))
    except SdkInvalid as exc:
        raise SpecError([sdk_diagnostic(spec, "/x-sdk", err) for err in exc.errors]) from None


def sdk_diagnostic(spec: LoadedSpec, base: str, err: Any) -> Diagnostic:
    pointer = join_pointer(base, *[str(p) for p in err["loc"] if not str(p).startswith("function-")])
    message = "unknown key (typo?)" if err["type"] == "unexpected_keyword_argument" else err["msg"]
    return spec.diagnostic(pointer, f"x-sdk: {message}")
