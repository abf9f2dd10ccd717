"""Spec text made safe inside generated source: docstrings and one-line cells nothing can break out of."""

from __future__ import annotations

_UNSAFE = {"\u2028": " ", "\u2029": " ", "\x0b": " ", "\x0c": " ", "\r": "", "\x85": " "}


def docstring(text: str) -> str:
    """Body of a triple-quoted docstring: nothing in the text can end the string or run code."""
    # Most text has nothing to drop or replace: only then does it need the walk character by character.
    clean = text
    if not text.replace("\n", "").isprintable():
        clean = "".join(_UNSAFE.get(ch, ch) for ch in text if ch == "\n" or ch.isprintable() or ch in _UNSAFE)
    clean = clean.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    clean = "\n".join(line.rstrip() for line in clean.split("\n")).strip()  # trailing spaces fail lint
    # An unescaped quote right before the closing triple quote would end the string early.
    if clean.endswith('"') and (len(clean) - 1 - len(clean[:-1].rstrip("\\"))) % 2 == 0:
        return clean[:-1] + '\\"'
    return clean


def one_line(text: str, limit: int = 160) -> str:
    """Text safe inside a Markdown table cell or a comment: one line, no pipes."""
    clean = text if text.isprintable() else "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(clean.split()).replace("|", "\\|")[:limit]
