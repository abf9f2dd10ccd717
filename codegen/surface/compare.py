"""Changes between two surfaces, each classed breaking, additive or other, and the version bump.

Where a change sits decides its class (docs/releases.md). Inputs (parameters, request bodies and
the models and enums they reach): removing, renaming, narrowing or making required breaks callers;
adding something optional or widening does not. Outputs (return types and the models and enums
they reach): removing a field or widening its type (including becoming optional or nullable, which
a type-checked caller must now handle) breaks callers; adding or narrowing does not. A model that is
both sent and received is held to both rules. Everything a caller reads but code does not depend
on (descriptions, HTTP paths, quotas, the API version) is other.
"""

from __future__ import annotations

from typing import Any

from .annotations import Enums, relation
from .changes import Change, Severity
from .compare_models import compare_models
from .extract import SURFACE_FORMAT


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    for surface in (old, new):
        if surface.get("format") != SURFACE_FORMAT:
            raise ValueError(f"surface format {surface.get('format')!r}, this generator reads {SURFACE_FORMAT}")
    out: list[Change] = []
    _package(old, new, out)
    out += _params("client()", old["client_options"], new["client_options"], _enums(old, new))
    _resources(old, new, out)
    _methods(old, new, out)
    out += compare_models(old["models"], new["models"], _enums(old, new))
    _names(old, new, out)
    return sorted(out, key=lambda c: c.sort_key())


def _enums(old: dict[str, Any], new: dict[str, Any]) -> Enums:
    models = {**old["models"], **new["models"]}
    return Enums(
        frozenset(n for n, m in models.items() if m["kind"] == "enum" and m["base"] == "StrEnum"),
        frozenset(n for n, m in models.items() if m["kind"] == "enum" and m["base"] == "IntEnum"),
    )


def _package(old: dict[str, Any], new: dict[str, Any], out: list[Change]) -> None:
    for key, label in (
        ("package", "import name"),
        ("distribution", "distribution name"),
        ("clients", "client classes"),
    ):
        if old[key] != new[key]:
            out.append(Change("breaking", "package", f"{label} {old[key]} -> {new[key]}"))
    for key, label in (("api_version", "API version"), ("base_url", "default base URL"), ("auth", "authentication")):
        if old[key] != new[key]:
            out.append(Change("other", "package", f"{label} {old[key]} -> {new[key]}"))
    if old["doc"] != new["doc"]:
        out.append(Change("other", "package", "title or description changed"))
    for feature, was in old["features"].items():
        now = new["features"].get(feature, False)
        if was != now:
            out.append(
                Change(
                    "breaking" if was else "additive", "package", f"{feature} support {'removed' if was else 'added'}"
                )
            )

    def windows(surface: dict[str, Any]) -> dict[str, list[str]]:
        grouped: dict[str, list[str]] = {}
        for q in surface["quotas"]:
            grouped.setdefault(q["group"] or "every operation", []).append(f"{q['requests']} per {q['per']:g} s")
        return grouped

    before, after = windows(old), windows(new)
    for group in sorted(set(before) | set(after)):
        was, now = before.get(group, []), after.get(group, [])
        if was != now:
            text = f"{', '.join(was) or 'none'} -> {', '.join(now) or 'none'}"
            out.append(Change("other", "quotas", f"{group}: {text}"))


def _resources(old: dict[str, Any], new: dict[str, Any], out: list[Change]) -> None:
    before, after = set(old["resources"]), set(new["resources"])
    for name in sorted(before - after):
        methods = sorted(m.rsplit(".", 1)[1] for m in old["methods"] if m.rsplit(".", 1)[0] == name)
        listed = f" (methods: {', '.join(methods)})" if methods else ""
        out.append(Change("breaking", f"client.{name}", f"removed resource{listed}"))
    for name in sorted(after - before):
        out.append(Change("additive", f"client.{name}", "added resource"))


def _methods(old: dict[str, Any], new: dict[str, Any], out: list[Change]) -> None:
    enums = _enums(old, new)
    gone_resources = set(old["resources"]) - set(new["resources"])
    for key, was in old["methods"].items():
        where = f"client.{key}()"
        now = new["methods"].get(key)
        if now is None:
            if key.rsplit(".", 1)[0] not in gone_resources:  # listed with its resource otherwise
                out.append(Change("breaking", where, f"removed method ({was['http']})"))
            continue
        out += _params(where, was["params"], now["params"], enums)
        _returns(where, was["returns"], now["returns"], "return type", enums, out)
        if was["raw_returns"] != now["raw_returns"] and was["returns"] == now["returns"]:
            _returns(where, was["raw_returns"], now["raw_returns"], "raw response type", enums, out)
        if was["http"] != now["http"]:
            out.append(Change("other", where, f"HTTP operation {was['http']} -> {now['http']}"))
        if was["deprecated"] != now["deprecated"]:
            # Semantic versioning counts a new deprecation as a minor change.
            out.append(Change("additive" if now["deprecated"] else "other", where, _deprecation(now["deprecated"])))
        if was["rate_limit_group"] != now["rate_limit_group"]:
            out.append(
                Change("other", where, f"rate-limit group {was['rate_limit_group']} -> {now['rate_limit_group']}")
            )
        if was["doc"] != now["doc"]:
            out.append(Change("other", where, "description changed"))
    for key, now in new["methods"].items():
        if key not in old["methods"]:
            out.append(Change("additive", f"client.{key}()", f"added method ({now['http']})"))


def _deprecation(now: bool) -> str:
    return "deprecated" if now else "no longer deprecated"


def _returns(where: str, old: str, new: str, label: str, enums: Enums, out: list[Change]) -> None:
    rel = relation(old, new, enums)
    if rel == "same":
        return
    # An output: a wider type (a new union member, None) is something callers must now handle.
    severity: Severity = "additive" if rel == "narrower" else "breaking"
    verb = {"wider": "widened", "narrower": "narrowed", "changed": "changed"}[rel]
    out.append(Change(severity, where, f"{label} {verb}: {old} -> {new}"))


def _params(where: str, old: list[dict[str, Any]], new: list[dict[str, Any]], enums: Enums) -> list[Change]:
    """Parameters are inputs: narrowing, removing, renaming or requiring breaks callers."""
    out: list[Change] = []
    before = {p["name"]: p for p in old}
    after = {p["name"]: p for p in new}
    removed = [p for p in old if p["name"] not in after]
    added = [p for p in new if p["name"] not in before]
    for was, now in _renames(removed, added):
        removed.remove(was)
        added.remove(now)
        out.append(Change("breaking", where, f"renamed parameter {was['name']} to {now['name']}"))
    for p in removed:
        out.append(Change("breaking", where, f"removed parameter {p['name']}"))
    for p in added:
        required = "required" if p["required"] else "optional"
        severity: Severity = "breaking" if p["required"] else "additive"
        out.append(Change(severity, where, f"added {required} parameter {p['name']}: {p['annotation']}"))
    for name, was in before.items():
        if name in after:
            out += _param_change(where, was, after[name], enums)
    old_positional = [p["name"] for p in old if p["kind"] == "positional" and p["name"] in after]
    new_positional = [p["name"] for p in new if p["kind"] == "positional" and p["name"] in before]
    if old_positional != new_positional and set(old_positional) == set(new_positional):
        out.append(
            Change(
                "breaking", where, f"positional order ({', '.join(old_positional)}) -> ({', '.join(new_positional)})"
            )
        )
    return out


def _renames(removed: list[dict[str, Any]], added: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Removed and added parameters that are one parameter under a new name: the same wire name,
    or the only removal and the only addition, of the same place and type."""
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for was in removed:
        match = next((p for p in added if p["location"] == was["location"] and p["wire"] == was["wire"]), None)
        if match is not None and match not in [b for _, b in pairs]:
            pairs.append((was, match))
    if not pairs and len(removed) == 1 and len(added) == 1:
        was, now = removed[0], added[0]
        if was["location"] == now["location"] and was["annotation"] == now["annotation"]:
            pairs.append((was, now))
    return pairs


def _param_change(where: str, was: dict[str, Any], now: dict[str, Any], enums: Enums) -> list[Change]:
    out: list[Change] = []
    name = was["name"]
    if was["required"] != now["required"]:
        if now["required"]:
            out.append(Change("breaking", where, f"parameter {name} is now required"))
        else:
            out.append(Change("additive", where, f"parameter {name} is now optional"))
    if was["kind"] != now["kind"]:
        # Keyword-only breaks positional calls; a positional parameter still takes keywords.
        kind_severity: Severity = "breaking" if now["kind"] == "keyword" else "additive"
        out.append(Change(kind_severity, where, f"parameter {name} is now {now['kind']}"))
    rel = relation(was["annotation"], now["annotation"], enums)
    if rel != "same":
        severity: Severity = "additive" if rel == "wider" else "breaking"
        verb = {"wider": "widened", "narrower": "narrowed", "changed": "changed type"}[rel]
        out.append(Change(severity, where, f"parameter {name} {verb}: {was['annotation']} -> {now['annotation']}"))
    if was["location"] != now["location"] or was["wire"] != now["wire"]:
        out.append(
            Change(
                "other",
                where,
                f"parameter {name} sent as {was['location']} {was['wire']} -> {now['location']} {now['wire']}",
            )
        )
    if was["deprecated"] != now["deprecated"]:
        severity = "additive" if now["deprecated"] else "other"
        out.append(Change(severity, where, f"parameter {name} {_deprecation(now['deprecated'])}"))
    if was["doc"] != now["doc"]:
        out.append(Change("other", where, f"description of parameter {name} changed"))
    return out


def _names(old: dict[str, Any], new: dict[str, Any], out: list[Change]) -> None:
    before, after = set(old["exports"]), set(new["exports"])
    for name in sorted(before - after):
        label = "exception" if name.endswith("Error") else "name"
        out.append(Change("breaking", "exports", f"removed {label} {new['package']}.{name}"))
    for name in sorted(after - before):
        label = "exception" if name.endswith("Error") else "name"
        out.append(Change("additive", "exports", f"added {label} {new['package']}.{name}"))
