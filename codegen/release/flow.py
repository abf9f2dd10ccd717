"""Making a release: compare a package's surface with its last release, bump, record, regenerate."""

from __future__ import annotations

import datetime
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from ..output.write import write_tree
from ..pipeline import generate_package
from ..surface import Change, bump_for, compare, extract_surface
from .record import Record, add_release, content_digest, dump_record, first_release, load_record, record_path


@dataclass(frozen=True)
class Outcome:
    version: str
    bump: str | None  # major, minor, patch, first; None when nothing changed (nothing was written)
    changes: tuple[Change, ...]


def check_date(date: str | None) -> str | None:
    if date is not None:
        datetime.date.fromisoformat(date)  # ValueError for anything but YYYY-MM-DD
    return date


def pending_changes(spec: Path, record_file: Path | None = None) -> tuple[Record | None, list[Change]]:
    """The package's release record and what changed in its surface since (empty: nothing)."""
    record_file = record_file or record_path(spec)
    record = load_record(record_file)
    surface = extract_surface(generate_package(spec, record=record_file))
    if record is None:
        return None, []
    return record, compare(record.surface, surface)


def release(spec: Path, out: Path, *, record_file: Path | None = None, date: str | None = None) -> Outcome:
    """Record a new release of the spec's package when its surface changed, then write the package
    (with the new version and changelog) to `out`. Running it again without a change does nothing."""
    record_file = record_file or record_path(spec)
    check_date(date)
    generated = generate_package(spec, record=record_file)
    surface = extract_surface(generated)
    current = load_record(record_file)
    if current is None:
        # Without a record the package carried the default version; the first one continues from it.
        updated = first_release(generated.package.distribution, surface, generated.package.version, date)
    else:
        changes = compare(current.surface, surface)
        bump = bump_for(changes)
        if bump is None and current.content != content_digest(generated.files):
            # The same surface, other files: the runtime or the generator changed what the package
            # does, and a version once published must keep its contents.
            changes, bump = [Change("other", "package", _SAME_SURFACE)], "patch"
        if bump is None:
            return Outcome(current.version, None, ())
        updated = add_release(current, surface, changes, bump, date)
    _write_atomic(record_file, dump_record(updated))
    files = generate_package(spec, record=record_file).files  # with the new version and changelog
    _write_atomic(record_file, dump_record(replace(updated, content=content_digest(files))))
    write_tree(out, files)
    newest = updated.releases[0]
    return Outcome(newest.version, newest.bump, newest.changes)


_SAME_SURFACE = "the package's code changed (its runtime or how it is generated); its Python surface did not"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)  # mkstemp's 0600 would make the committed record private to one user
    os.replace(tmp, path)
