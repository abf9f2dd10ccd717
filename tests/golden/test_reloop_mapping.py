"""docs/reloop-sdk-mapping.md: every counterpart it names exists on both generated Reloop clients."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

MAPPING = Path(__file__).resolve().parents[2] / "docs" / "reloop-sdk-mapping.md"
HEADER = "| theirs | ours | notes |"
PACKAGE_PREFIX = "reloop."  # rows naming a function of the package rather than a client attribute


def _rows() -> list[tuple[str, str]]:
    lines = MAPPING.read_text().splitlines()
    start = lines.index(HEADER) + 2  # skip the header and its separator
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        rows.append((cells[0].strip("`"), cells[1].strip("`")))
    return rows


def _resolve(root: object, dotted: str) -> object:
    target = root
    for name in dotted.split("."):
        target = getattr(target, name)
    return target


def test_every_row_names_a_counterpart() -> None:
    rows = _rows()
    assert rows
    assert [theirs for theirs, ours in rows if not theirs or not ours] == []


def test_totals_line_matches_the_table() -> None:
    rows = _rows()
    theirs, ours = len(rows), len({o for _, o in rows})
    assert f"Totals: theirs {theirs}, ours {ours}, theirs without counterpart 0." in MAPPING.read_text()


@pytest.mark.parametrize("client_name", ["Reloop", "AsyncReloop"])
def test_counterparts_exist_on_the_client(client_name: str) -> None:
    import reloop

    client = getattr(reloop, client_name)(api_key="rl_test", base_url="http://127.0.0.1:1")
    missing = []
    for _, ours in _rows():
        root, path = (reloop, ours[len(PACKAGE_PREFIX) :]) if ours.startswith(PACKAGE_PREFIX) else (client, ours)
        try:
            target = _resolve(root, path)
        except AttributeError:
            missing.append(ours)
            continue
        if not callable(target):
            missing.append(ours)
    assert missing == []


def test_ours_entries_are_dotted_identifiers() -> None:
    assert [o for _, o in _rows() if not re.fullmatch(r"[a-z_]+(\.[a-z_]+)*", o)] == []
