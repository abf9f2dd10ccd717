"""Every class a resource module imports exists in models.py, whatever the model generator did.

datamodel-code-generator renames a class when two models would share a name (`Region` becomes
`Region1`) and may drop one it cannot build. Resource modules import the names we chose, so a
renamed class gets an alias under its planned name and a missing one is typed Any, each with a
warning, instead of a failed run.
"""

from __future__ import annotations

import re

from .diagnostics import Diagnostic

_DEFINED = re.compile(r"^(?:class (\w+)\b|(\w+)(?::\s*TypeAlias)?\s*=)", re.M)


def complete_models(code: str, expected: set[str], planned: set[str], spec_file: str) -> tuple[str, list[Diagnostic]]:
    """(code with aliases for renamed and dropped classes, a warning for each)."""
    defined = {a or b for a, b in _DEFINED.findall(code)}
    missing = sorted(n for n in expected if n not in defined)
    if not missing:
        return code, []
    lines, warnings = ["", ""], []
    for name in missing:
        # A rename appends a number; a class named so in the document is not a rename.
        renamed = sorted(d for d in defined - planned if re.fullmatch(re.escape(name) + r"\d+", d))
        where = f"/components/schemas/{name}"
        if len(renamed) == 1:
            lines.append(f"{name} = {renamed[0]}")
            message = f"the model generator named class {name} {renamed[0]}; models.{name} is an alias of it"
        else:
            lines.append(f"{name}: TypeAlias = Any")
            message = f"the model generator did not define class {name}; it is typed Any"
        warnings.append(Diagnostic(spec_file, None, where, message, "warning"))
    imports = "from typing import Any, TypeAlias\n"
    return _after_future_import(code, imports) + "\n".join(lines) + "\n", warnings


def _after_future_import(code: str, imports: str) -> str:
    marker = "from __future__ import annotations\n"
    if marker in code:
        head, _, tail = code.partition(marker)
        return head + marker + imports + tail
    return imports + code
