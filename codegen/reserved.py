"""Every name a generated identifier must not take, in one table, each set saying what it protects.

Identifiers from a spec (classes, parameters, attributes) are checked against these in
codegen/naming.py; a clash gets the documented fallback there (a trailing underscore, a suffix).
"""

from __future__ import annotations

import builtins
import keyword

KEYWORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)
BUILTINS = frozenset(name for name in dir(builtins) if not name.startswith("_"))

# Keywords every generated method takes besides the operation's own parameters.
CALL_OPTIONS = ("extra_headers", "extra_query", "extra_body", "timeout", "max_wait")

# Snake-case identifiers that would shadow something a generated module or its readers rely on.
IDENTIFIERS = KEYWORDS | BUILTINS | {"self", "cls", "body", *CALL_OPTIONS}

# Names a generated method body or signature refers to; a parameter must not hide them. Other
# builtins (id, type, filter, format) may: method bodies never use them, and `id` reads best.
PARAMETERS = KEYWORDS | {
    "self",
    "cls",
    *CALL_OPTIONS,
    "body",
    "spec",
    "result",
    "response",
    "_job_id",
    "_accepted",
    "abc",
    "builtins",
    "datetime",
    "warnings",
    "list",
    "dict",
    "object",
    "str",
    "int",
    "float",
    "bool",
    "bytes",
    "None",
}

# Method and attribute names: only keywords and what every object has need escaping.
ATTRIBUTES = KEYWORDS | {"self", "mro"}

# Class names the generated modules import themselves; a model must not shadow them.
CLASS_NAMES = frozenset(
    {
        "Any",
        "AwareDatetime",
        "BaseModel",
        "ConfigDict",
        "Enum",
        "Field",
        "IntEnum",
        "Literal",
        "StrEnum",
        "RootModel",
        "NotGiven",
        "Headers",
        "Query",
        "Body",
        "SyncPage",
        "AsyncPage",
        "AsyncPaginator",
        "SyncJob",
        "AsyncJob",
        "APIResponse",
        "AsyncAPIResponse",
        "RequestSpec",
        "Timeout",
        "FileTypes",
        "Optional",
        "Union",
        "date",
        "datetime",
        "UUID",
        "Decimal",
        "Annotated",
        "AnyUrl",
        "EmailStr",
        "Model",
        "NaiveDatetime",
        "Operation",
        "NOT_GIVEN",
        "Self",
        "TypeAdapter",
    }
)

# Attributes of every generated client; a top-level resource must not replace one.
CLIENT_ATTRIBUTES = frozenset(
    {
        "with_options",
        "with_raw_response",
        "with_streaming_response",
        "close",
        "aclose",
        "rate_limits",
        "api_key",
        "base_url",
        "timeout",
        "max_retries",
        "max_wait",
    }
)

# Attributes of every generated resource class; a method must not replace one.
RESOURCE_ATTRIBUTES = frozenset({"with_options", "with_raw_response", "with_streaming_response"})

# Names the builtin emitter's models module imports; a field must not hide one.
MODEL_IMPORTS = frozenset(
    {
        "Any",
        "Literal",
        "Annotated",
        "Field",
        "AwareDatetime",
        "SecretStr",
        "RootModel",
        "BaseModel",
        "StrEnum",
        "IntEnum",
        "Enum",
        "open_enum_member",
        "date_aliased",
        "time_aliased",
        "annotations",
    }
)

# The public attributes of pydantic's BaseModel (2.14), written out rather than read from the
# pydantic the generator runs with: the output must not depend on that, and importing it costs every
# run 20 ms. tests/unit/test_reserved.py compares the list with the installed pydantic's.
PYDANTIC_ATTRIBUTES = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "from_orm",
        "json",
        "model_computed_fields",
        "model_config",
        "model_construct",
        "model_copy",
        "model_dump",
        "model_dump_json",
        "model_extra",
        "model_fields",
        "model_fields_set",
        "model_json_schema",
        "model_parametrized_name",
        "model_post_init",
        "model_rebuild",
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
    }
)

# Names a model field must not take: it would hide a type the class's annotations use, a pydantic
# attribute, or read as 1/0 (E741).
FIELD_NAMES = (
    MODEL_IMPORTS
    | {"str", "int", "float", "bool", "bytes", "list", "dict", "None"}
    | PYDANTIC_ATTRIBUTES
    | {"to_dict", "l", "O", "I"}
)
