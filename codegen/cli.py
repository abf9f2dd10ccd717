"""The `codegen` command line."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from .diagnostics import SpecError
from .output.write import OutputRefused, read_tree, tree_diff, write_tree
from .paths import ROOT
from .pipeline import CURATED, MODEL_GENERATORS, Generated, generate_package
from .progress import Progress


def _fail(error: SpecError) -> None:
    for diagnostic in error.diagnostics:
        click.echo(str(diagnostic), err=True)
    sys.exit(1)


@click.group()
def main() -> None:
    """Generate typed Python clients from OpenAPI documents."""


@main.command()
@click.argument("spec", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), help="Output folder (with SPEC).")
@click.option("--package-name", help="Import package name (default: from x-sdk or the title).")
@click.option(
    "--models",
    type=click.Choice(MODEL_GENERATORS),
    default="auto",
    show_default=True,
    help="Model generator; auto takes the one the spec's x-sdk names, else the builtin one.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Write into a folder that is not a previous output, overwriting files codegen did not write.",
)
def generate(spec: Path | None, out: Path | None, package_name: str | None, models: str, force: bool) -> None:
    """Regenerate every curated spec into generated/, or SPEC into --out.

    Only files that a previous run wrote there (listed in its manifest or carrying the generated
    header) are ever removed."""
    if spec is None:
        if out is not None or package_name is not None:
            raise click.UsageError("--out and --package-name need a SPEC")
        jobs: list[tuple[Path, Path, str | None]] = [
            (path, ROOT / "generated" / name, None) for name, path in CURATED.items()
        ]
    else:
        if out is None:
            raise click.UsageError("--out is required with SPEC")
        jobs = [(spec, out, package_name)]
    try:
        results = [
            (target, generated, seconds)
            for (target, (generated, seconds)) in zip(
                [t for _, t, _ in jobs], _run_all([(s, n, models) for s, _, n in jobs]), strict=True
            )
        ]
    except SpecError as error:
        _fail(error)
        return
    for _, generated, _ in results:
        for warning in generated.package.warnings:
            click.echo(warning, err=True)
    # Everything rendered before anything is written: a failure above leaves outputs untouched.
    for target, generated, seconds in results:
        try:
            done = write_tree(target, generated.files, force=force)
        except OutputRefused as refused:
            click.echo(f"error: {refused}", err=True)
            sys.exit(1)
        except OSError as exc:
            click.echo(f"error: cannot write {target}: {exc}", err=True)
            sys.exit(1)
        for rel in done.removed:
            click.echo(f"removed {target.name}/{rel} (written by an earlier run, no longer generated)")
        ops = len(generated.package.all_operations())
        click.echo(
            f"{target.name}: {ops} operations, {done.written} files written, {len(done.removed)} removed ({seconds:.1f}s)"
        )


def _timed(job: tuple[Path, str | None, str]) -> tuple[Generated, float]:
    started = time.perf_counter()
    generated = generate_package(job[0], package_name=job[1], models=job[2])
    return generated, time.perf_counter() - started


def _run_all(jobs: list[tuple[Path, str | None, str]]) -> list[tuple[Generated, float]]:
    """Several specs render in parallel processes; output order and bytes do not depend on it."""
    if len(jobs) == 1:
        with Progress() as progress:
            started = time.perf_counter()
            generated = generate_package(jobs[0][0], package_name=jobs[0][1], progress=progress, models=jobs[0][2])
        return [(generated, time.perf_counter() - started)]
    from concurrent.futures import ProcessPoolExecutor  # only here: its import costs a single spec's run

    with ProcessPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1)) as pool:
        return list(pool.map(_timed, jobs))


@main.command()
def check() -> None:
    """Exit 1 with a unified diff when generated/ differs from what specs and templates produce."""
    stale = False
    try:
        rendered = _run_all([(path, None, "auto") for path in CURATED.values()])
        for name, (generated, _) in zip(CURATED, rendered, strict=True):
            target = ROOT / "generated" / name
            diff = tree_diff(read_tree(target), generated.files, f"generated/{name}")
            if diff:
                stale = True
                click.echo(diff)
    except SpecError as error:
        _fail(error)
    if stale:
        click.echo("generated/ is stale: run `make generate`", err=True)
        sys.exit(1)
    click.echo("generated/ is up to date")


@main.command()
@click.argument("old", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--package-name", help="Import package name for both (default: from x-sdk or the title).")
@click.option("--fail-on-breaking", is_flag=True, help="Exit 1 when any change is breaking (for CI gates).")
def diff(old: Path, new: Path, package_name: str | None, fail_on_breaking: bool) -> None:
    """Changes to the generated Python surface from OLD to NEW, and the version bump they call for.

    OLD and NEW are specs, or release records (specs/releases/*.json) standing for their last release.
    """
    from .surface import bump_for, compare
    from .surface.load import load_surface

    try:
        changes = compare(load_surface(old, package_name), load_surface(new, package_name))
    except SpecError as error:
        _fail(error)
        return
    for change in changes:
        click.echo(change.line())
    counts = {s: sum(c.severity == s for c in changes) for s in ("breaking", "additive", "other")}
    click.echo(f"{len(changes)} changes: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
    click.echo(bump_for(changes) or "none")
    if fail_on_breaking and counts["breaking"]:
        sys.exit(1)


@main.command()
@click.argument("spec", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Package folder (with SPEC).")
@click.option("--record", type=click.Path(dir_okay=False, path_type=Path), help="Release record (with SPEC).")
@click.option("--date", help="Release date to record, YYYY-MM-DD (default: none, so output stays reproducible).")
def release(spec: Path | None, out: Path | None, record: Path | None, date: str | None) -> None:
    """Bump and record a release of every curated package whose surface changed (or of SPEC into --out),
    prepend its CHANGELOG entry and regenerate it. Without a change nothing is written."""
    from .release.flow import check_date
    from .release.flow import release as make_release

    if spec is None:
        if out is not None or record is not None:
            raise click.UsageError("--out and --record need a SPEC")
        jobs: list[tuple[Path, Path, Path | None]] = [
            (path, ROOT / "generated" / name, None) for name, path in CURATED.items()
        ]
    else:
        if out is None:
            raise click.UsageError("--out is required with SPEC")
        jobs = [(spec, out, record)]
    try:
        check_date(date)
    except ValueError:
        raise click.BadParameter("expected YYYY-MM-DD", param_hint="--date") from None
    try:
        for path, target, record_file in jobs:
            outcome = make_release(path, target, record_file=record_file, date=date)
            if outcome.bump is None:
                click.echo(f"{target.name}: {outcome.version}, no surface change since, nothing to release")
                continue
            click.echo(f"{target.name}: {outcome.version} ({outcome.bump}, {len(outcome.changes)} changes)")
            for change in outcome.changes:
                click.echo("  " + change.line())
    except SpecError as error:
        _fail(error)


def run() -> None:
    """The console script: main(), then an exit that does not free the run's objects one by one.
    A large spec leaves millions of them, and freeing them took longer than writing the files
    (0.2 s on GitHub's spec); the operating system takes the memory back at once."""
    try:
        main()
        code = 0
    except SystemExit as done:
        if isinstance(done.code, str):
            click.echo(done.code, err=True)
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
