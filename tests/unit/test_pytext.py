"""Spec text inside generated source and Markdown: nothing in it can break out of its place."""

from __future__ import annotations

import pytest

from codegen.pytext import docstring, one_line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("List pets", "List pets"),
        ("two\nlines\r\n  and  spaces ", "two lines and spaces"),
        ("a | b", "a \\| b"),
        ("tab\there\x0bvt\u2028ls\x00nul", "tab here vt ls nul"),
    ],
)
def test_one_line(text: str, expected: str) -> None:
    assert one_line(text) == expected


def test_one_line_keeps_to_its_limit() -> None:
    assert one_line("x" * 500) == "x" * 160
    assert one_line("word " * 10, limit=9) == "word word"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('says """hi"""', 'says \\"\\"\\"hi\\"\\"\\"'),
        ('ends with a quote"', 'ends with a quote\\"'),
        ("back\\slash", "back\\\\slash"),
        ("trailing  \nspaces  ", "trailing\nspaces"),
        ("form\x0cfeed\u2029", "form feed"),
    ],
)
def test_docstring(text: str, expected: str) -> None:
    assert docstring(text) == expected
    compile(f'"""{docstring(text)}"""', "<docstring>", "eval")
