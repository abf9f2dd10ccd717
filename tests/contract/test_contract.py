"""Every operation of both curated specs, through the generated sync and async clients, against
Prism: a mock server nobody here wrote validates each request against the spec, and each answer
(the spec's own examples) must parse into the declared type.
"""

from __future__ import annotations

from functools import cache

import pytest

from ._calls import ApiPlan, plan
from ._prism import ROOT, PrismServer
from ._runner import Report, run_async, run_sync
from .conftest import COVERAGE, SPECS

pytestmark = pytest.mark.prism


@cache
def _plan(api: str) -> ApiPlan:
    return plan(ROOT / "specs" / f"{api}.yaml")


def _verdict(report: Report) -> None:
    COVERAGE.append(report.coverage)
    print(report.coverage)
    for warning in report.warnings:
        print("prism warning:", warning)
    missing = sorted(set(report.spec_ops) - report.called)
    message = [report.coverage]
    if report.failures:
        message.append(f"{len(report.failures)} operation(s) failed:")
        message.extend(report.failures)
    never_planned = sorted(set(report.spec_ops) - {c.key for c in _plan(report.api).calls})
    if never_planned:
        message.append(
            "operations the generated client has no method for: " + ", ".join(f"{m} {p}" for m, p in never_planned)
        )
    assert not missing and not report.failures, "\n".join(message)


@pytest.mark.parametrize("api", SPECS)
def test_every_operation_sync(api: str, prism_servers: dict[str, PrismServer]) -> None:
    _verdict(run_sync(_plan(api), prism_servers[api].base_url))


@pytest.mark.parametrize("api", SPECS)
def test_every_operation_async(api: str, prism_servers: dict[str, PrismServer]) -> None:
    _verdict(run_async(_plan(api), prism_servers[api].base_url))


@pytest.mark.parametrize("api", SPECS)
def test_plan_covers_the_spec(api: str) -> None:
    """Every operation of the spec has a generated method to call (no Prism needed)."""
    planned = {c.key for c in _plan(api).calls}
    assert planned == set(_plan(api).spec_ops)
