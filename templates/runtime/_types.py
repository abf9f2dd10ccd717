from __future__ import annotations

import os
from collections.abc import Mapping
from typing import IO, Final, Literal, TypeAlias

import httpx


class NotGiven:
    """Marks an argument the caller did not pass, where None is a meaningful value."""

    _instance: NotGiven | None = None

    def __new__(cls) -> NotGiven:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

Timeout: TypeAlias = float | httpx.Timeout | None
Headers: TypeAlias = Mapping[str, str]
Query: TypeAlias = Mapping[str, object]
Body: TypeAlias = Mapping[str, object]

FileContent: TypeAlias = bytes | IO[bytes]
FileInput: TypeAlias = (
    FileContent | os.PathLike[str] | tuple[str | None, FileContent] | tuple[str | None, FileContent, str | None]
)
"""A file to upload: bytes, a path (``pathlib.Path``; the filename comes from it and the content
type is guessed from the name), an open binary file, or ``(filename, content[, content_type])``.
A plain ``str`` is never read as a path: pass ``pathlib.Path(...)``."""
