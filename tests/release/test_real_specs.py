"""The surface and its diff on the curated specs: real sizes, roles and one real change of each class."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen.surface import bump_for, compare
from codegen.surface.load import load_surface

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def reloop() -> dict[str, Any]:
    return load_surface(ROOT / "specs" / "reloop.yaml")


def test_surface_is_json_and_complete(reloop: dict[str, Any]) -> None:
    assert json.loads(json.dumps(reloop)) == reloop
    assert len(reloop["methods"]) == 120 and "domains.list" in reloop["methods"]
    listing = reloop["methods"]["domains.list"]
    assert listing["returns"] == "SyncPage[Domain]" and listing["http"] == "GET /api/domain/v1/list"
    assert [p["name"] for p in listing["params"]] == ["page", "limit", "q", "status"]
    assert not any(p["required"] for p in listing["params"])
    models = reloop["models"]
    assert models["DomainCreateRequest"]["role"] == "input"
    assert models["Domain"]["role"] == "output"
    assert models["DomainStatus"]["kind"] == "enum" and "ACTIVE" in models["DomainStatus"]["members"]
    assert models["DnsRecord"]["fields"]["record_type"] == {
        "annotation": "DnsRecordRecordType",
        "required": True,
        "nullable": False,
        "alias": "recordType",
        "doc": models["DnsRecord"]["fields"]["record_type"]["doc"],
    }
    assert "NotFoundError" in reloop["exports"]
    assert {"requests": 5000, "per": 86400.0, "group": "mail.send"} in reloop["quotas"]


def test_real_changes_on_the_reloop_spec(tmp_path: Path, reloop: dict[str, Any]) -> None:
    document = yaml.safe_load((ROOT / "specs" / "reloop.yaml").read_text())
    del document["paths"]["/api/domain/v1/{domain_id}"]["delete"]
    document["paths"]["/api/domain/v1/list"]["get"]["parameters"].append(
        {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["name", "created"]}}
    )
    document["paths"]["/api/domain/v1/list"]["get"]["summary"] = "List all domains"
    changed = tmp_path / "reloop.yaml"
    changed.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    changes = compare(reloop, load_surface(changed))
    assert [c.line() for c in changes] == [
        "breaking:  client.domains.delete(): removed method (DELETE /api/domain/v1/{domain_id})",
        "additive:  client.domains.list(): added optional parameter sort: Literal['name', 'created']",
        "other:     client.domains.list(): description changed",
    ]
    assert bump_for(changes) == "major"
