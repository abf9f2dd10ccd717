"""Opt-in logging from the <PKG>_LOG env var, and header redaction."""

import importlib
import logging
from collections.abc import Iterator
from types import ModuleType

import httpx
import pytest

PACKAGES = ("reloop", "replyio")
ENV_VAR = "SDK_TEST_LOG"
API_KEY = "rl_live_TESTKEY_0123456789abcdef"


@pytest.fixture(params=PACKAGES)
def pkg(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def log(pkg: str) -> Iterator[ModuleType]:
    module = importlib.import_module(f"{pkg}._logging")
    logger = logging.getLogger(pkg)
    handlers, level = list(logger.handlers), logger.level
    yield module
    logger.handlers[:] = handlers
    logger.setLevel(level)


def test_redact_headers_mapping(log: ModuleType) -> None:
    headers = {
        "Authorization": f"Bearer {API_KEY}",
        "x-api-key": API_KEY,
        "Proxy-Authorization": "Basic abc",
        "Cookie": "session=1",
        "Set-Cookie": "session=2",
        "X-Custom-Token": "t",
        "X-Client-Secret": "s",
        "X-Partner-Key": "k",
        "Content-Type": "application/json",
        "User-Agent": "reloop-python/1.0",
        "x-request-id": "r-1",
        "X-RateLimit-Remaining": "9",
    }
    assert log.redact_headers(headers) == {
        "Authorization": "<redacted>",
        "x-api-key": "<redacted>",
        "Proxy-Authorization": "<redacted>",
        "Cookie": "<redacted>",
        "Set-Cookie": "<redacted>",
        "X-Custom-Token": "<redacted>",
        "X-Client-Secret": "<redacted>",
        "X-Partner-Key": "<redacted>",
        "Content-Type": "application/json",
        "User-Agent": "reloop-python/1.0",
        "x-request-id": "r-1",
        "X-RateLimit-Remaining": "9",
    }


def test_redact_httpx_headers(log: ModuleType) -> None:
    headers = httpx.Headers({"X-API-Key": API_KEY, "Accept": "application/json"})
    redacted = log.redact_headers(headers)
    assert redacted == {"x-api-key": "<redacted>", "accept": "application/json"}
    assert API_KEY not in repr(redacted)
    assert headers["x-api-key"] == API_KEY  # the original is untouched


def test_redact_header_pairs(log: ModuleType) -> None:
    pairs = [("authorization", "Bearer x"), ("accept", "*/*")]
    assert log.redact_headers(pairs) == {
        "authorization": "<redacted>",
        "accept": "*/*",
    }


@pytest.mark.parametrize(
    ("name", "sensitive"),
    [
        ("AUTHORIZATION", True),
        ("x-api-key", True),
        ("api_key", True),
        ("X-Access-Token", True),
        ("x-webhook-secret", True),
        ("cookie", True),
        ("set-cookie", True),
        ("proxy-authorization", True),
        ("content-length", False),
        ("retry-after", False),
        ("x-ratelimit-limit", False),
    ],
)
def test_is_sensitive_header(log: ModuleType, name: str, sensitive: bool) -> None:
    assert log.is_sensitive_header(name) is sensitive


def test_get_logger(log: ModuleType, pkg: str) -> None:
    assert log.get_logger(f"{pkg}._base_client") is logging.getLogger(f"{pkg}._base_client")


@pytest.mark.parametrize(("value", "level"), [("debug", logging.DEBUG), ("INFO", logging.INFO)])
def test_setup_logging_attaches_one_handler(
    log: ModuleType, pkg: str, monkeypatch: pytest.MonkeyPatch, value: str, level: int
) -> None:
    monkeypatch.setenv(ENV_VAR, value)
    logger = logging.getLogger(pkg)
    before = len(logger.handlers)
    assert log.setup_logging(ENV_VAR) is logger
    assert logger.level == level
    assert len(logger.handlers) == before + 1
    log.setup_logging(ENV_VAR)
    log.setup_logging(ENV_VAR)
    assert len(logger.handlers) == before + 1


@pytest.mark.parametrize("value", [None, "", "verbose", "warning", "1"])
def test_setup_logging_off(
    log: ModuleType,
    pkg: str,
    monkeypatch: pytest.MonkeyPatch,
    value: str | None,
) -> None:
    if value is None:
        monkeypatch.delenv(ENV_VAR, raising=False)
    else:
        monkeypatch.setenv(ENV_VAR, value)
    logger = logging.getLogger(pkg)
    before, level = list(logger.handlers), logger.level
    log.setup_logging(ENV_VAR)
    assert logger.handlers == before
    assert logger.level == level


def test_debug_output_goes_to_stderr(
    log: ModuleType,
    pkg: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(ENV_VAR, "debug")
    log.setup_logging(ENV_VAR)
    child = log.get_logger(f"{pkg}._base_client")
    child.debug("request headers: %s", log.redact_headers({"x-api-key": API_KEY}))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{pkg}._base_client" in captured.err
    assert "DEBUG" in captured.err
    assert "request headers: {'x-api-key': '<redacted>'}" in captured.err
    assert API_KEY not in captured.err


def test_info_level_hides_debug(
    log: ModuleType,
    pkg: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(ENV_VAR, "info")
    log.setup_logging(ENV_VAR)
    child = log.get_logger(f"{pkg}._base_client")
    child.debug("hidden detail")
    child.info("visible summary")
    err = capsys.readouterr().err
    assert "hidden detail" not in err
    assert "visible summary" in err
