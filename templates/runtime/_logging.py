"""Logging for the SDK: an opt-in stderr handler and header redaction.

Nothing is logged anywhere unless the application configures logging itself or sets the
package's log environment variable (``<PACKAGE>_LOG=debug``, named by ``x-sdk.log_env_var``).
"""

import logging
import os
import sys
from collections.abc import Iterable, Mapping

__all__ = [
    "REDACTED",
    "get_logger",
    "is_sensitive_header",
    "redact_headers",
    "setup_logging",
]

REDACTED = "<redacted>"

# The package this module was copied into.
_PACKAGE_LOGGER_NAME = __name__.rpartition(".")[0] or __name__

_LEVELS: dict[str, int] = {"debug": logging.DEBUG, "info": logging.INFO}

_SENSITIVE_NAMES = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-api-key",
        "cookie",
        "set-cookie",
    }
)
_SENSITIVE_FRAGMENTS = ("key", "token", "secret", "password", "credential")


class _SDKHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marker class so ``setup_logging`` attaches its handler only once."""


def get_logger(name: str) -> logging.Logger:
    """Return the logger called ``name`` (normally a module's ``__name__``)."""
    return logging.getLogger(name)


def setup_logging(env_var: str) -> logging.Logger:
    """Attach a stderr handler to the package logger if ``env_var`` asks for it.

    ``env_var`` set to ``debug`` or ``info`` (any case) sets the package logger to that
    level and attaches one stderr handler; calling this again never adds a second one.
    Any other value, or an unset variable, leaves logging alone.
    """
    logger = logging.getLogger(_PACKAGE_LOGGER_NAME)
    level = _LEVELS.get(os.environ.get(env_var, "").strip().lower())
    if level is None:
        return logger
    logger.setLevel(level)
    if not any(isinstance(h, _SDKHandler) for h in logger.handlers):
        handler = _SDKHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("[%(asctime)s - %(name)s:%(lineno)d - %(levelname)s] %(message)s"))
        logger.addHandler(handler)
    return logger


def is_sensitive_header(name: str) -> bool:
    """True for headers whose value must never be logged or shown."""
    lowered = name.strip().lower()
    if lowered in _SENSITIVE_NAMES:
        return True
    return any(fragment in lowered for fragment in _SENSITIVE_FRAGMENTS)


def redact_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
) -> dict[str, str]:
    """Copy ``headers`` with the values of sensitive headers replaced by ``<redacted>``.

    Accepts a mapping (including ``httpx.Headers``) or ``(name, value)`` pairs. Names
    keep their spelling; a repeated name keeps its last value.
    """
    return {name: (REDACTED if is_sensitive_header(name) else value) for name, value in dict(headers).items()}
