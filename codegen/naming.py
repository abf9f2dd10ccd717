"""Turning names found in specs into safe, conventional Python identifiers."""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")
# Names that would shadow something a generated module or its readers rely on.
_RESERVED = set(keyword.kwlist) | set(keyword.softkwlist) | {
    name for name in dir(builtins) if not name.startswith("_")
} | {"self", "cls", "extra_headers", "extra_query", "extra_body", "timeout", "body"}


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return folded


def words(text: str) -> list[str]:
    return _WORDS.findall(_ascii(text))


def snake(text: str) -> str:
    name = "_".join(w.lower() for w in words(text))
    return name or "value"


def pascal(text: str) -> str:
    name = "".join(w[:1].upper() + w[1:] for w in words(text))
    if not name:
        return "Model"
    return "N" + name if name[0].isdigit() else name


def safe_identifier(name: str) -> str:
    """A snake_case name usable as a parameter or attribute without shadowing anything."""
    if name and name[0].isdigit():
        name = "n_" + name
    if name in _RESERVED:
        return name + "_"
    return name


def constant(text: str) -> str:
    name = "_".join(w.upper() for w in words(text)) or "VALUE"
    return "V_" + name if name[0].isdigit() else name


def safe_attribute(name: str) -> str:
    """A method or attribute name: only keywords need escaping (obj.list is fine, obj.class is not)."""
    if name and name[0].isdigit():
        name = "n_" + name
    if keyword.iskeyword(name) or name in ("self", "mro"):
        return name + "_"
    return name
