"""Small things users meet first: names, messages and defaults, each pinned."""

from __future__ import annotations

import inspect

import httpx
import pytest

from .conftest import Harness, json_response
from .samples import SAMPLES


def test_parameters_are_never_mangled_by_names_the_generator_uses(reply: Harness) -> None:
    retrieve = reply.module.Reply(api_key="k").background_jobs.retrieve
    assert "job_id" in inspect.signature(retrieve).parameters


def test_an_unknown_rate_limit_group_is_refused_with_the_valid_names(h: Harness) -> None:
    with pytest.raises(ValueError, match="does not exist; valid groups: ") as refused:
        h.client(lambda r: json_response(200, {}), rate_limits=[h.module.RateLimit(1, 1, group="no.such.group")])
    assert "'no.such.group'" in str(refused.value)
    known = sorted(h.module.Reloop(api_key="k")._config.rate_limit_groups) if h.pkg == "reloop" else ["ai_sdr"]
    h.client(lambda r: json_response(200, {}), rate_limits=[h.module.RateLimit(1, 1, group=known[0])])


def test_dir_of_the_package_shows_its_public_names_only(pkg: str) -> None:
    import importlib

    module = importlib.import_module(pkg)
    assert dir(module) == list(module.__all__)
    assert "annotations" not in dir(module) and "TYPE_CHECKING" not in dir(module)


def test_connection_errors_carry_their_cause(h: Harness) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    client = h.client(refuse, max_retries=0)
    with pytest.raises(h.module.APIConnectionError, match="Connection refused"):
        h.run(SAMPLES[h.pkg].call(client))


def test_reply_accepts_problem_details_and_reloop_json(h: Harness) -> None:
    client = h.client(lambda r: json_response(200, SAMPLES[h.pkg].body))
    h.run(SAMPLES[h.pkg].call(client))
    expected = "application/json, application/problem+json" if h.pkg == "replyio" else "application/json"
    assert h.requests[0].headers["accept"] == expected


def test_base_url_without_a_scheme_is_a_clear_error(h: Harness) -> None:
    with pytest.raises(ValueError, match="must start with https://.*no scheme"):
        h.client(lambda r: json_response(200, {}), base_url="api.example.com")
