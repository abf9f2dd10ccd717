"""Publish the generated packages: check, build, `twine check --strict`, upload with twine.

Twine is configured its standard way: TWINE_REPOSITORY_URL, TWINE_USERNAME and TWINE_PASSWORD, or
a section of ~/.pypirc named by TWINE_REPOSITORY (default `pypi`). Nothing is uploaded when:

- generated/ differs from what specs and templates produce (what `codegen check` reports);
- a package's surface changed since its last release (`make release` first), or it has no record;
- a version is already on the index with other bytes (read from the index's simple page). Builds
  are reproducible, so the same version with the same bytes is an earlier upload of this very
  release: it is skipped, and only the packages with new versions go up. With nothing new at
  all, the run is refused too.

    python -m codegen.release.publish [--dist DIR] [--simple-url URL] [--dry-run]
"""

from __future__ import annotations

import argparse
import configparser
import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from ..output.write import read_tree
from ..pipeline import generate_package
from ..surface import compare, extract_surface
from .build import build_package
from .record import content_digest, load_record, record_path


class Refused(Exception):
    """Publishing stopped before any upload; the message says why and what to run."""


@dataclass(frozen=True)
class Target:
    spec: Path
    package_dir: Path
    record: Path | None = None  # default: beside the spec


def check_targets(targets: list[Target]) -> list[str]:
    """Why these packages may not be published now (empty: they may)."""
    from ..output.write import tree_diff  # the same comparison `codegen check` makes

    problems: list[str] = []
    for target in targets:
        record_file = target.record or record_path(target.spec)
        generated = generate_package(target.spec, record=record_file)
        if tree_diff(read_tree(target.package_dir), generated.files, str(target.package_dir)):
            problems.append(f"{target.package_dir} is stale: run `make generate` (codegen check fails)")
        record = load_record(record_file)
        if record is None:
            problems.append(f"{generated.package.distribution} has no release record {record_file}: run `make release`")
            continue
        changes = compare(record.surface, extract_surface(generated))
        if changes:
            listed = "".join(f"\n    {c.line()}" for c in changes[:5]) + ("\n    ..." if len(changes) > 5 else "")
            problems.append(
                f"{generated.package.distribution}: surface changed since {record.version}, "
                f"run `make release` first:{listed}"
            )
        elif record.content != content_digest(generated.files):
            problems.append(
                f"{generated.package.distribution}: its files changed since {record.version} (the runtime or "
                "the generator), run `make release` first: a published version must keep its contents"
            )
    return problems


def upload_settings(env: Mapping[str, str]) -> tuple[str | None, tuple[str, str] | None]:
    """(upload URL, credentials) as twine will see them, to read the same index's simple pages."""
    user, password = env.get("TWINE_USERNAME"), env.get("TWINE_PASSWORD")
    url = env.get("TWINE_REPOSITORY_URL")
    if not url:
        config = configparser.ConfigParser()
        config.read(Path(env.get("HOME", str(Path.home()))) / ".pypirc")
        section = env.get("TWINE_REPOSITORY", "pypi")
        if config.has_section(section):
            url = config.get(section, "repository", fallback=None)
            user = user or config.get(section, "username", fallback=None)
            password = password or config.get(section, "password", fallback=None)
        if not url and section == "pypi":
            url = "https://upload.pypi.org/legacy/"
    return url, (user, password) if user and password else None


def simple_url_for(upload_url: str) -> str:
    """The simple index next to an upload URL: PyPI's and TestPyPI's by name, else <root>/simple/."""
    known = {
        "https://upload.pypi.org/legacy": "https://pypi.org/simple/",
        "https://test.pypi.org/legacy": "https://test.pypi.org/simple/",
    }
    base = upload_url.rstrip("/")
    if base in known:
        return known[base]
    return base.removesuffix("/legacy") + "/simple/"


def published_hashes(simple_url: str, distribution: str, auth: tuple[str, str] | None) -> dict[str, str | None]:
    """File name -> sha256 (None when the page gives none) of a project on the index."""
    name = re.sub(r"[-_.]+", "-", distribution).lower()
    url = simple_url.rstrip("/") + f"/{name}/"
    try:
        response = httpx.get(url, auth=auth, headers={"Accept": "text/html"}, follow_redirects=True, timeout=30)
    except httpx.HTTPError as exc:
        raise Refused(f"cannot read {url} to see what is published: {exc}") from None
    if response.status_code == 404:
        return {}
    if response.status_code != 200:
        raise Refused(f"cannot read {url} to see what is published: HTTP {response.status_code}")
    found: dict[str, str | None] = {}
    for href in re.findall(r"""<a\s[^>]*href=["']([^"']+)["']""", response.text, flags=re.I):
        path, _, fragment = href.partition("#")
        digest = fragment[len("sha256=") :] if fragment.startswith("sha256=") else None
        found[path.rsplit("/", 1)[-1]] = digest
    return found


def publish(
    targets: list[Target],
    dist_dir: Path,
    *,
    env: Mapping[str, str] | None = None,
    simple_url: str | None = None,
    dry_run: bool = False,
    log: Callable[[str], None] = print,
) -> list[Path]:
    """Check, build and upload; returns the files uploaded (or that would be, with dry_run)."""
    env = dict(os.environ if env is None else env)
    say = log
    problems = check_targets(targets)
    if problems:
        raise Refused("\n".join(problems))
    upload_url, auth = upload_settings(env)
    if not upload_url and not simple_url:
        raise Refused("no index to publish to: set TWINE_REPOSITORY_URL or a ~/.pypirc section")
    index = simple_url or simple_url_for(str(upload_url))
    built: list[tuple[str, list[Path]]] = []
    for target in targets:
        sdist, wheel = build_package(target.package_dir, dist_dir)
        record = load_record(target.record or record_path(target.spec))
        assert record is not None  # check_targets refused packages without one
        built.append((record.distribution, [sdist, wheel]))
    files = [path for _, paths in built for path in paths]
    _run([sys.executable, "-m", "twine", "check", "--strict", *map(str, files)], env)
    uploads: list[Path] = []
    clashes: list[str] = []
    for distribution, paths in built:
        on_index = published_hashes(index, distribution, auth)
        for path in paths:
            if path.name not in on_index:
                uploads.append(path)
            elif on_index[path.name] == hashlib.sha256(path.read_bytes()).hexdigest():
                say(f"{path.name} is on the index already, byte for byte: skipped")
            else:
                clashes.append(path.name)
    if clashes:
        raise Refused(f"already on {index} with other contents: {', '.join(clashes)}; run `make release`")
    if not uploads:
        raise Refused(f"nothing to publish: every version is on {index} already; run `make release` after changes")
    if dry_run:
        say("would upload: " + " ".join(p.name for p in uploads))
        return uploads
    command = [sys.executable, "-m", "twine", "upload", "--non-interactive", "--disable-progress-bar"]
    _run([*command, *map(str, uploads)], env)
    say("uploaded: " + " ".join(p.name for p in uploads))
    return uploads


def _run(command: list[str], env: Mapping[str, str]) -> None:
    proc = subprocess.run(command, capture_output=True, text=True, env=dict(env), check=False)
    if proc.returncode != 0:
        raise Refused(f"{' '.join(command[2:4])} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


def main(argv: list[str] | None = None) -> int:
    from ..paths import ROOT
    from ..pipeline import CURATED

    parser = argparse.ArgumentParser(prog="python -m codegen.release.publish", description=__doc__.split("\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the built files go")
    parser.add_argument("--simple-url", help="the index's simple page root, when it cannot be derived")
    parser.add_argument("--dry-run", action="store_true", help="everything but the upload")
    args = parser.parse_args(argv)
    targets = [Target(spec, ROOT / "generated" / name) for name, spec in CURATED.items()]
    try:
        publish(targets, args.dist, simple_url=args.simple_url, dry_run=args.dry_run)
    except Refused as refused:
        print(f"publish refused: {refused}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
