"""The `x-sdk` extensions: SDK design decisions kept beside the API description.

Models forbid unknown keys so a typo in a curated spec is an error, not a silent default.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

_IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Pagination(_Strict):
    style: Literal["page", "offset"]
    page_param: str = "page"
    size_param: str = "limit"
    offset_param: str = "offset"
    items_field: str = "items"
    has_more_field: str | None = None
    total_field: str | None = None


class QuotaWindow(_Strict):
    requests: int = Field(gt=0)
    per: float = Field(gt=0)
    group: str | None = None


class Jobs(_Strict):
    get_operation: str
    cancel_operation: str | None = None
    id_field: str = "id"
    status_field: str = "status"
    succeeded: list[str]
    failed: list[str]


class WebhookSignature(_Strict):
    header: str
    tolerance: float = Field(default=300, gt=0)


class DocumentSdk(_Strict):
    package: str | None = Field(default=None, pattern=_IDENTIFIER)
    distribution: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    client: str | None = Field(default=None, pattern=_IDENTIFIER)
    env_var: str | None = Field(default=None, pattern=r"^[A-Z][A-Z0-9_]*$")
    log_env_var: str | None = Field(default=None, pattern=r"^[A-Z][A-Z0-9_]*$")
    error_envelope: Literal["reloop", "problem", "generic"] = "generic"
    pagination: Pagination | None = None
    rate_limits: list[QuotaWindow] = []
    # What a server hold (429, Remaining: 0) pauses: "client" holds every operation when the
    # answering operation has no rate_limit_group; "operation" holds only that operation (APIs
    # whose limits are per endpoint).
    rate_limit_holds: Literal["client", "operation"] = "client"
    jobs: Jobs | None = None
    webhook_signature: WebhookSignature | None = None


class Paginate(_Strict):
    items_field: str


class OperationSdk(_Strict):
    resource: str | None = Field(default=None, pattern=r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$")
    method: str | None = Field(default=None, pattern=r"^[a-z_][a-z0-9_]*$")
    rate_limit_group: str | None = None
    paginate: Paginate | Literal[False] | None = None

    @field_validator("paginate", mode="before")
    @classmethod
    def _no_true(cls, value: object) -> object:
        if value is True:
            raise ValueError("use {items_field: ...} or false; true is implied by detection")
        return value
