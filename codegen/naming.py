"""Turning names found in specs into safe, conventional Python identifiers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Container
from functools import cache

from .reserved import ATTRIBUTES, IDENTIFIERS, PARAMETERS

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")

# Letters that NFKD does not decompose into ASCII but that have a usual spelling.
_TRANSLITERATE = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "ø": "o",
        "Ø": "O",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "Th",
    }
)


def _ascii(text: str) -> str:
    if text.isascii():  # most names: nothing to fold
        return text
    folded = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE)).encode("ascii", "ignore").decode("ascii")
    return folded


def words(text: str) -> list[str]:
    found = _WORDS.findall(_ascii(text))
    if found:
        return found
    # Nothing ASCII in it (e.g. Japanese): Python 3 identifiers may be Unicode, so keep the letters
    # rather than collapsing every such name to the same placeholder.
    return [w for w in re.findall(r"\w+", unicodedata.normalize("NFKC", text)) if ("x" + w).isidentifier()]


# Cached: a large spec names the same properties and schemas thousands of times.
@cache
def snake(text: str) -> str:
    name = "_".join(w.lower() for w in words(text))
    return name or "value"


@cache
def pascal(text: str) -> str:
    name = "".join(w[:1].upper() + w[1:] for w in words(text))
    if not name:
        return "Model"
    return "N" + name if name[0].isdigit() else name


def safe_identifier(name: str) -> str:
    """A snake_case name usable as a parameter or attribute without shadowing anything."""
    if name and name[0].isdigit():
        name = "n_" + name
    if name in IDENTIFIERS:
        return name + "_"
    return name


def parameter_name(name: str) -> str:
    """A snake_case method parameter: escapes keywords and names the method itself relies on."""
    if name and name[0].isdigit():
        name = "n_" + name
    if name in PARAMETERS:
        return name + "_"
    return name


def safe_attribute(name: str) -> str:
    """A method or attribute name: only keywords need escaping (obj.list is fine, obj.class is not)."""
    if name and name[0].isdigit():
        name = "n_" + name
    if name in ATTRIBUTES:
        return name + "_"
    return name


_IRREGULAR = {"people": "person", "children": "child", "men": "man", "women": "woman", "data": "datum"}


def singular_of(word: str) -> str:
    """English singular of a snake_case resource name, good enough to trim method names."""
    head, _, last = word.rpartition("_")
    prefix = head + "_" if head else ""
    if last in _IRREGULAR:
        return prefix + _IRREGULAR[last]
    for suffix, replacement in (
        ("ies", "y"),
        ("sses", "ss"),
        ("uses", "us"),
        ("xes", "x"),
        ("ches", "ch"),
        ("shes", "sh"),
    ):
        if last.endswith(suffix) and len(last) > len(suffix):
            return prefix + last[: -len(suffix)] + replacement
    return prefix + (last[:-1] if last.endswith("s") and not last.endswith("ss") else last)


# Trailing words of a title that name the kind of thing, not the API: "Stripe API", "PTV Timetable
# API - Version 3", "LaunchDarkly REST API", "Foo Client".
_TITLE_NOISE = re.compile(r"^(api|apis|rest|restful|client|sdk|service|version|v?\d+(\.\d+)*)$", re.I)


def title_words(title: str) -> list[str]:
    """The title's words as written (OpenAI stays one word), without trailing noise words."""
    found = re.findall(r"[A-Za-z0-9]+", _ascii(title))
    while found and _TITLE_NOISE.match(found[-1]):
        found.pop()
    return found


def package_from_title(title: str) -> str:
    """openai for "OpenAI API", github for "GitHub v3 REST API", plain_todo for "Plain Todo";
    a title of no ASCII words (日本 API) keeps its Unicode letters."""
    found = title_words(title)
    return "_".join(w.lower() for w in found) if found else snake(title).removesuffix("_api")


def class_from_title(title: str) -> str:
    """OpenAI for "OpenAI API": each word capitalised, its other letters as written."""
    name = "".join(w[:1].upper() + w[1:] for w in title_words(title))
    if not name:
        return pascal(package_from_title(title))
    return "N" + name if name[0].isdigit() else name


def env_prefix(package: str) -> str:
    """The first three words of the package name: environment variables stay readable."""
    return "_".join(package.strip("_").split("_")[:3]).upper() or "API"


def underscores(wanted: str, attempt: int) -> str:
    return wanted + "_" * attempt


def numbered(wanted: str, attempt: int) -> str:
    """wanted2, wanted3, ...: for class names, where a trailing underscore reads badly."""
    return f"{wanted}{attempt + 1}"


def numbered_after_underscore(wanted: str, attempt: int) -> str:
    """wanted_2, wanted_3, ...: for a second method of the same name."""
    return f"{wanted}_{attempt + 1}"


def repeated(suffix: str) -> Callable[[str, int], str]:
    """wanted_query, wanted_query_query, ...: a suffix that says why the name changed."""
    return lambda wanted, attempt: wanted + suffix * attempt


def unique_name(wanted: str, taken: Container[str], candidate: Callable[[str, int], str] = underscores) -> str:
    """wanted, or the first candidate(wanted, 1), candidate(wanted, 2), ... not taken: the one rule
    every name clash falls back to, with the spelling of the candidates chosen per kind of name."""
    name, attempt = wanted, 0
    while name in taken:
        attempt += 1
        name = candidate(wanted, attempt)
    return name
