"""A package's release record: its version, its changelog, and the surface it was released with.

The record sits beside the spec (`specs/releases/<spec name>.json`). The pipeline renders the
version and CHANGELOG.md from it, so `make generate` and `codegen check` agree with the last
release; `codegen release` compares the package's surface with the recorded one to make the next.
Nothing in it depends on when it was written unless a date is passed in.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packaging.version import Version

from ..ir.nodes import ReleaseNote
from ..output.write import HEADER_MARK

if TYPE_CHECKING:  # a run without a release record never needs the surface comparison (20 ms to import)
    from ..surface.changes import Bump, Change

RECORD_FORMAT = 1


@dataclass(frozen=True)
class Release:
    version: str
    bump: str  # major, minor, patch, or "first" for the first release of a record
    api_version: str
    changes: tuple[Change, ...]
    date: str | None = None

    def note(self) -> ReleaseNote:
        def lines(severity: str) -> tuple[str, ...]:
            return tuple(f"`{c.where}`: {c.text}" for c in self.changes if c.severity == severity)

        return ReleaseNote(
            version=self.version,
            date=self.date,
            bump=self.bump,
            api_version=self.api_version,
            breaking=lines("breaking"),
            added=lines("additive"),
            other=lines("other"),
        )


@dataclass(frozen=True)
class Record:
    distribution: str
    surface: dict[str, Any]
    releases: tuple[Release, ...] = field(default=())  # newest first
    # Digest of the package's files as released (content_digest): a change to the runtime or the
    # generator alters them without touching the surface, and a published version must not change.
    content: str | None = None

    @property
    def version(self) -> str:
        return self.releases[0].version


def record_path(spec_path: Path) -> Path:
    return spec_path.parent / "releases" / f"{spec_path.stem}.json"


def load_record(path: Path) -> Record | None:
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != RECORD_FORMAT:
        raise ValueError(f"{path}: release record format {data.get('format')!r}, expected {RECORD_FORMAT}")
    from ..surface.changes import Change

    releases = tuple(
        Release(
            version=str(entry["version"]),
            bump=str(entry["bump"]),
            api_version=str(entry["api_version"]),
            changes=tuple(Change.from_dict(c) for c in entry["changes"]),
            date=entry.get("date"),
        )
        for entry in data["releases"]
    )
    if not releases:
        raise ValueError(f"{path}: a release record needs at least one release")
    content = data.get("content")
    return Record(
        distribution=str(data["distribution"]),
        surface=data["surface"],
        releases=releases,
        content=str(content) if content is not None else None,
    )


def content_digest(files: dict[str, str]) -> str:
    """sha256 over every file of a package, paths and texts, in path order. The generated-file
    header names where the spec was read from, which says nothing about the package: it is left
    out, so a copy of the spec elsewhere digests the same."""
    digest = hashlib.sha256()
    for rel in sorted(files):
        lines = files[rel].split("\n", 2)  # the header is one of the first two lines (write.carries_header)
        text = "\n".join(line for i, line in enumerate(lines) if i == 2 or HEADER_MARK not in line)
        digest.update(rel.encode() + b"\0" + text.encode("utf-8", errors="surrogateescape") + b"\0")
    return digest.hexdigest()


def dump_record(record: Record) -> str:
    data = {
        "format": RECORD_FORMAT,
        "distribution": record.distribution,
        "version": record.version,
        "releases": [
            {
                "version": r.version,
                **({"date": r.date} if r.date else {}),
                "bump": r.bump,
                "api_version": r.api_version,
                "changes": [c.as_dict() for c in r.changes],
            }
            for r in record.releases
        ],
        **({"content": record.content} if record.content else {}),
        "surface": record.surface,
    }
    return _json(data, 0) + "\n"


def _json(value: Any, depth: int) -> str:
    """Indented JSON with every flat object or list (a parameter, a field, an enum's members) on one
    line: the record stays small and a diff still shows one line per changed item."""
    flat = not isinstance(value, (dict, list)) or all(
        not isinstance(v, (dict, list)) for v in (value.values() if isinstance(value, dict) else value)
    )
    if flat:
        return json.dumps(value, ensure_ascii=False)
    pad, inner = " " * depth, " " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_json(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    return "[\n" + ",\n".join(inner + _json(v, depth + 1) for v in value) + "\n" + pad + "]"


def next_version(version: str, bump: Bump) -> str:
    """Semantic versioning on the first three numbers; anything after them is dropped."""
    major, minor, patch = (list(Version(version).release) + [0, 0])[:3]
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def first_release(distribution: str, surface: dict[str, Any], default_version: str, date: str | None) -> Record:
    """A package's first record: a minor step over the version it had without one (the API's version
    and the generator's, 1.0.0.100), so the new number is greater than every build published before."""
    from ..surface.changes import Change

    version = next_version(default_version, "minor")
    note = Change(
        "other",
        "package",
        f"first release with a version of its own (builds before were numbered {default_version} from the "
        f"API version and the generator's); the API version stays in `{surface['package']}.__api_version__`",
    )
    release = Release(version, "first", str(surface["api_version"]), (note,), date)
    return Record(distribution, surface, (release,))


def add_release(record: Record, surface: dict[str, Any], changes: list[Change], bump: Bump, date: str | None) -> Record:
    """The record with one more release on top; `surface` becomes the one to compare with next."""
    release = Release(next_version(record.version, bump), bump, str(surface["api_version"]), tuple(changes), date)
    return Record(record.distribution, surface, (release, *record.releases))
