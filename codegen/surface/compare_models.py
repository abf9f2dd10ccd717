"""Changes to models, root models and enums, judged by the role each plays.

A model reached from a request (a body, a parameter) is an input; one reached from a response is
an output; one reached from both is held to both rules, so its change is as severe as the worse of
the two. Fields are compared after inheritance is flattened, and reported once, on the class that
declares them.
"""

from __future__ import annotations

from typing import Any

from .annotations import Enums, relation, without_none
from .changes import ORDER, Change, Severity


def _roles(old: dict[str, Any], new: dict[str, Any]) -> set[str]:
    roles: set[str] = set()
    for role in (old.get("role", "output"), new.get("role", "output")):
        roles |= {"input", "output"} if role == "both" else {role}
    return roles


def _worst(roles: set[str], as_input: Severity, as_output: Severity) -> Severity:
    picked = [as_input] if "input" in roles else []
    picked += [as_output] if "output" in roles else []
    return min(picked, key=lambda s: ORDER[s])


def _role_label(roles: set[str]) -> str:
    return "in requests and responses" if len(roles) == 2 else "in requests" if "input" in roles else "in responses"


def compare_models(old: dict[str, Any], new: dict[str, Any], enums: Enums) -> list[Change]:
    out: list[Change] = []
    for name in sorted(set(old) - set(new)):
        out.append(Change("breaking", f"models.{name}", f"removed {_kind(old[name])}"))
    for name in sorted(set(new) - set(old)):
        out.append(Change("additive", f"models.{name}", f"added {_kind(new[name])}"))
    for name in sorted(set(old) & set(new)):
        was, now = old[name], new[name]
        where = f"models.{name}"
        roles = _roles(was, now)
        if was["kind"] != now["kind"] or was.get("base") != now.get("base"):
            out.append(Change("breaking", where, f"{_kind(was)} is now a {_kind(now)}"))
            continue
        if was["kind"] == "enum":
            out += _enum(where, was, now, roles)
        elif was["kind"] == "root":
            out += _type_change(where, "type", was["annotation"], now["annotation"], roles, enums)
        else:
            out += _bases(where, was, now)
            out += _fields(name, old, new, roles, enums)
        if was["doc"] != now["doc"]:
            out.append(Change("other", where, "description changed"))
    return out


def _kind(entry: dict[str, Any]) -> str:
    return {"enum": "enum", "root": "root model"}.get(entry["kind"], "model")


def _enum(where: str, was: dict[str, Any], now: dict[str, Any], roles: set[str]) -> list[Change]:
    out: list[Change] = []
    by_value_old = {v: k for k, v in was["members"].items()}
    by_value_new = {v: k for k, v in now["members"].items()}
    for value, member in by_value_old.items():
        if value not in by_value_new:
            # The member is a name callers may use (`Status.FAILED`), whatever the enum's role.
            out.append(Change("breaking", where, f"removed value {value!r} ({member})"))
        elif by_value_new[value] != member:
            out.append(Change("breaking", where, f"member {member} renamed to {by_value_new[value]}"))
    for value, member in by_value_new.items():
        if value not in by_value_old:
            # A received enum with a new value is a wider type: exhaustive handling misses it.
            severity = _worst(roles, "additive", "breaking")
            out.append(Change(severity, where, f"added value {value!r} ({member}), {_role_label(roles)}"))
    return out


def _bases(where: str, was: dict[str, Any], now: dict[str, Any]) -> list[Change]:
    lost = [b for b in was["bases"] if b not in now["bases"]]
    gained = [b for b in now["bases"] if b not in was["bases"]]
    if not lost and not gained:
        return []
    # A class that stops deriving from a base no longer passes where the base is expected.
    severity: Severity = "breaking" if lost else "additive"
    return [Change(severity, where, f"base classes ({', '.join(was['bases'])}) -> ({', '.join(now['bases'])})")]


def _flatten(models: dict[str, Any], name: str, depth: int = 0) -> dict[str, tuple[dict[str, Any], str]]:
    """Every field of a model with the class that declares it, inherited ones first."""
    entry = models.get(name)
    if entry is None or entry["kind"] != "model" or depth > 20:
        return {}
    fields: dict[str, tuple[dict[str, Any], str]] = {}
    for base in entry["bases"]:
        fields.update(_flatten(models, base, depth + 1))
    fields.update({field: (item, name) for field, item in entry["fields"].items()})
    return fields


def _fields(name: str, old: dict[str, Any], new: dict[str, Any], roles: set[str], enums: Enums) -> list[Change]:
    out: list[Change] = []
    before, after = _flatten(old, name), _flatten(new, name)

    def inherited(field: str) -> bool:
        # Reported on the base that declares it, unless this class alone gained or lost it.
        old_owner = before[field][1] if field in before else None
        new_owner = after[field][1] if field in after else None
        owner = old_owner if old_owner not in (None, name) else new_owner
        if owner in (None, name) or owner not in old or owner not in new:
            return False
        return (field in _flatten(old, owner)) == (field in before) and (field in _flatten(new, owner)) == (
            field in after
        )

    removed = [f for f in before if f not in after and not inherited(f)]
    added = [f for f in after if f not in before and not inherited(f)]
    for was_name, now_name in _field_renames(removed, added, before, after):
        removed.remove(was_name)
        added.remove(now_name)
        out.append(Change("breaking", f"models.{name}", f"renamed field {was_name} to {now_name}"))
    for field in removed:
        out.append(Change("breaking", f"models.{name}", f"removed field {field}"))
    for field in added:
        item = after[field][0]
        required = item["required"]
        severity = _worst(roles, "breaking" if required else "additive", "additive")
        kind = "required" if required else "optional"
        out.append(
            Change(
                severity, f"models.{name}", f"added {kind} field {field}: {item['annotation']}, {_role_label(roles)}"
            )
        )
    for field in before:
        if field in after and not inherited(field):
            out += _field_change(f"models.{name}.{field}", before[field][0], after[field][0], roles, enums)
    return out


def _field_renames(
    removed: list[str], added: list[str], before: dict[str, Any], after: dict[str, Any]
) -> list[tuple[str, str]]:
    """A field under a new Python name: the same wire name, or the only removal and addition with one type."""
    pairs = [(r, a) for r in removed for a in added if before[r][0]["alias"] == after[a][0]["alias"]]
    if not pairs and len(removed) == 1 and len(added) == 1:
        if before[removed[0]][0]["annotation"] == after[added[0]][0]["annotation"]:
            pairs = [(removed[0], added[0])]
    return pairs


def _field_change(where: str, was: dict[str, Any], now: dict[str, Any], roles: set[str], enums: Enums) -> list[Change]:
    out: list[Change] = []
    label = _role_label(roles)
    # Optional and nullable both mean "may be None" to a caller; one change says both.
    loosened = (was["required"] and not now["required"]) or (not was["nullable"] and now["nullable"])
    tightened = (not was["required"] and now["required"]) or (was["nullable"] and not now["nullable"])
    if loosened and not tightened:
        text = "now optional" if was["required"] != now["required"] else "now nullable"
        out.append(Change(_worst(roles, "additive", "breaking"), where, f"{text} (may be None), {label}"))
    elif tightened and not loosened:
        text = "now required" if was["required"] != now["required"] else "no longer nullable"
        out.append(Change(_worst(roles, "breaking", "additive"), where, f"{text}, {label}"))
    elif loosened and tightened:
        out.append(Change("breaking", where, "required and nullable changed"))
    out += _type_change(where, "type", without_none(was["annotation"]), without_none(now["annotation"]), roles, enums)
    if was["alias"] != now["alias"]:
        out.append(Change("other", where, f"wire name {was['alias']} -> {now['alias']}"))
    if was["doc"] != now["doc"]:
        out.append(Change("other", where, "description changed"))
    return out


def _type_change(where: str, label: str, old: str, new: str, roles: set[str], enums: Enums) -> list[Change]:
    rel = relation(old, new, enums)
    if rel == "same":
        return []
    if rel == "wider":
        severity = _worst(roles, "additive", "breaking")
    elif rel == "narrower":
        severity = _worst(roles, "breaking", "additive")
    else:
        severity = "breaking"
    verb = {"wider": "widened", "narrower": "narrowed", "changed": "changed"}[rel]
    return [Change(severity, where, f"{label} {verb}: {old} -> {new}, {_role_label(roles)}")]
