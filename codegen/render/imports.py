"""A resource module's import block: only what its methods use, in the order ruff's isort rule
writes it (codegen/isort.py). With nothing for the lint pass to fix, ruff lints each module once:
fixing GitHub's 700 unused imports made it lint its 7 MB of resource modules again, 0.25 s of CPU."""

from __future__ import annotations

from collections.abc import Iterable

from ..isort import from_lines, sorted_members
from .views import UNPARSED, MethodView

LINE_LENGTH = 120  # codegen/ruff.toml
# Modules the annotations spell out: seen in an annotation's text, they are imported.
_SPELLED = (
    ("builtins.", "import builtins"),
    ("abc.", "import collections.abc as abc"),
    ("datetime.", "import datetime"),
)
_EXTRAS = ("NOT_GIVEN", "Body", "Headers", "NotGiven", "Query", "Timeout")


def resource_imports(methods: Iterable[MethodView], models: Iterable[str], inputs: set[str], through: str = "") -> str:
    """The lines after `from __future__ import annotations`: the standard library, the package's
    own modules, and the request-body TypedDicts (under TYPE_CHECKING: only annotations name them).
    `inputs` holds those and FileInput, as views.used_inputs gives them. With `through`, the name
    the methods' code reaches the models package by, the models are imported under TYPE_CHECKING
    too, and the package under that name."""
    methods = list(methods)
    file_input = "FileInput" in inputs
    typed_dicts = sorted_members([name for name in inputs if name != "FileInput"])
    models = sorted_members(list(models))
    code = "\n".join(text for m in methods for text in (*m.params, *m.plain_return, m.cast))
    kinds = {m.kind for m in methods}
    checking = typed_dicts or (models if through else [])

    stdlib = [line for mark, line in _SPELLED if mark in code]
    if any(m.deprecated or m.deprecated_params for m in methods):
        stdlib.append("import warnings")
    typing = ["TYPE_CHECKING"] * bool(checking) + ["Literal"] * ("Literal[" in code)
    stdlib += from_lines({"functools": ["cached_property"], **({"typing": typing} if typing else {})})

    own: dict[str, list[str]] = {".._base_client": ["AsyncAPIClient", "SyncAPIClient"]}
    if methods:
        schemes = ["JOB_SCHEME"] * ("job" in kinds) + ["PAGE_SCHEME"] * ("page" in kinds)
        own |= {".._constants": schemes} if schemes else {}
        own |= {".._jobs": ["AsyncJob", "SyncJob"]} if "job" in kinds else {}
        own |= {".._pagination": ["AsyncPaginator", "SyncPage"]} if "page" in kinds else {}
        own[".._request"] = ["RequestSpec"]
        own[".._streaming"] = [
            "async_to_raw_response_wrapper",
            "async_to_streamed_response_wrapper",
            "to_raw_response_wrapper",
            "to_streamed_response_wrapper",
        ]
        own[".._types"] = [*_EXTRAS, *["FileInput"] * file_input]
    if through and any(m.kind not in UNPARSED and f"{through}." in m.cast for m in methods):
        own[".."] = [f"models as {through}"]
    lines = [*stdlib, "", *(_wrapped(line) for line in from_lines(own))]
    if models and not through:
        lines.append(_exploded("from ..models import", models))
    if checking:
        lines += ["", "if TYPE_CHECKING:"]
        if models and through:
            lines.append(_exploded("    from ..models import", models, indent="        "))
        if typed_dicts:
            lines.append(_exploded("    from ..params import", typed_dicts, indent="        "))
    return "\n".join(lines) + "\n"


def _wrapped(line: str) -> str:
    """As isort writes a from-import too long for a line: one name a line, a trailing comma."""
    if len(line) <= LINE_LENGTH:
        return line
    head, _, names = line.partition(" import ")
    return _exploded(f"{head} import", names.split(", "))


def _exploded(head: str, names: list[str], indent: str = "    ") -> str:
    """One name a line with a trailing comma, which isort and the formatter both keep as it is."""
    closing = indent[:-4]
    return f"{head} (\n" + "".join(f"{indent}{name},\n" for name in names) + f"{closing})"
