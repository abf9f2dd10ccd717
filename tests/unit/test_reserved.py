"""The names reserved.py writes out must stay those of the pydantic the generated code runs with."""

from __future__ import annotations

import pydantic

from codegen import reserved


def test_every_public_basemodel_attribute_is_a_reserved_field_name() -> None:
    public = {name for name in dir(pydantic.BaseModel) if not name.startswith("_")}
    assert public <= reserved.PYDANTIC_ATTRIBUTES, (
        f"new in pydantic {pydantic.VERSION}: {sorted(public - reserved.PYDANTIC_ATTRIBUTES)}"
    )
    assert reserved.PYDANTIC_ATTRIBUTES <= reserved.FIELD_NAMES
