from __future__ import annotations

from enum import Enum
from typing import Any, cast

import pydantic


class BaseModel(pydantic.BaseModel):
    """Base of every response and request model.

    Unknown fields are kept (``extra="allow"``) so a field the server adds later never breaks an
    old client, and models accept both wire names and Python names. A model builds its validator
    when first used, not when its module is imported: an API has hundreds of models, and a call
    needs only those of its own request and response.
    """

    model_config = pydantic.ConfigDict(
        extra="allow",
        populate_by_name=True,
        protected_namespaces=(),
        arbitrary_types_allowed=True,
        defer_build=True,
    )

    def to_dict(self) -> dict[str, Any]:
        """The model as JSON-ready data with wire names, leaving out fields never set."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


def open_enum_member(cls: type[Enum], value: object) -> Any:
    """Accept enum values the spec did not list: a new server value must not break parsing.

    The unknown value becomes a pseudo-member that compares equal to the raw value.
    """
    base = str if issubclass(cls, str) else int if issubclass(cls, int) else None
    if base is None or not isinstance(value, base) or isinstance(value, bool):
        return None
    member = cast(Any, base).__new__(cls, value)
    member._name_ = str(value)
    member._value_ = value
    return member
