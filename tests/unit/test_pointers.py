"""JSON pointers (RFC 6901) as diagnostics name them: `~` and `/` in a token escaped, in that order."""

from __future__ import annotations

from codegen.diagnostics import escape_pointer_token, join_pointer


def test_join_pointer() -> None:
    assert join_pointer("") == ""
    assert join_pointer("/paths") == "/paths"
    assert join_pointer("/paths", "/pets/{id}", "get") == "/paths/~1pets~1{id}/get"
    assert join_pointer("", "components", "schemas", "a~b/c") == "/components/schemas/a~0b~1c"
    assert join_pointer("/p", "parameters", 0) == "/p/parameters/0"
    assert join_pointer("/p", "~1") == "/p/~01"


def test_escape_order() -> None:
    # "~1" as written must not come back as "/": "~" is escaped first.
    assert escape_pointer_token("~1") == "~01"
    assert escape_pointer_token("/~") == "~1~0"
