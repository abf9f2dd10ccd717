"""Problems found in a spec, as data: file, line, JSON pointer and message."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Diagnostic:
    file: str
    line: int | None
    pointer: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        pointer = self.pointer or "#"
        return f"{where}: {self.severity}: {self.message} (at {pointer})"


class SpecError(Exception):
    """Raised when a spec cannot be turned into a client; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(str(d) for d in diagnostics))

    def __reduce__(self) -> tuple[type[SpecError], tuple[list[Diagnostic]]]:
        # Specs render in worker processes; the diagnostics must survive the trip back.
        return (SpecError, (self.diagnostics,))


class Processing:
    """What the generator is working on, so an internal failure can name it (file and pointer)."""

    file: str = ""
    pointer: str = ""


def processing(pointer: str) -> None:
    Processing.pointer = pointer


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(base: str, *tokens: str | int) -> str:
    # A stage joins tens of thousands of pointers on a large spec; most tokens need no escape.
    for token in tokens:
        text = token if token.__class__ is str else str(token)
        base += "/" + (text if "~" not in text and "/" not in text else escape_pointer_token(text))
    return base


def display_path(path: Path) -> str:
    """A path relative to the working directory when possible, so messages stay short."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def source_name(path: Path) -> str:
    """How generated headers name a spec: relative to the root of the git work tree holding it,
    else by its file name, so the output does not depend on where the generator runs."""
    resolved = path.resolve()
    for folder in resolved.parents:
        if (folder / ".git").exists():
            return resolved.relative_to(folder).as_posix()
    return resolved.name
