"""One change to a package's surface, and the version bump a list of them calls for."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["breaking", "additive", "other"]
Bump = Literal["major", "minor", "patch"]
ORDER: dict[str, int] = {"breaking": 0, "additive": 1, "other": 2}


@dataclass(frozen=True)
class Change:
    severity: Severity
    where: str  # e.g. client.domains.list(), models.Domain.status, exports
    text: str

    def line(self) -> str:
        return f"{self.severity + ':':<10} {self.where}: {self.text}"

    def sort_key(self) -> tuple[int, str, str]:
        return ORDER[self.severity], self.where, self.text

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Change:
        severity = data["severity"]
        if severity not in ORDER:
            raise ValueError(f"unknown severity {severity!r}")
        return cls(severity, str(data["where"]), str(data["text"]))


def bump_for(changes: list[Change]) -> Bump | None:
    """major for any breaking change, minor for additions, patch for anything else; None if nothing."""
    if not changes:
        return None
    if any(c.severity == "breaking" for c in changes):
        return "major"
    if any(c.severity == "additive" for c in changes):
        return "minor"
    return "patch"
