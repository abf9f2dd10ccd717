"""Which references of a split models package are deferred, and which fields are marked DEFERRED.

A reference from a class to another of its reference cycle may be deferred (split.py says why):
in the other class's module it is a stand-in at run time, and the fields naming it are marked for
the runtime (templates/runtime/_deferred.py) to validate them from the real classes on first use.
Not a base (a class statement needs it), nor from a field that is a discriminated union alone
(its own `Annotated` would merge with the mark), nor to a root model (the runtime relies on
stand-ins accepting nothing but objects). Within a module nothing is deferred.

A marked field is validated by a Python function, which pydantic cannot look into: where several
models of a union accept an object, pydantic picks the one setting the most fields, nested models
included, and the fields set behind a marked field go uncounted. So a field with such a union,
one of whose models has a marked field somewhere below it, is marked too; the runtime then picks
the union's member itself, counting the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ...ir.typeref import TypeRef
from .classes import ClassDef, ModelClass, RootClass
from .graph import strongly_connected


def deferrable_references(classes: dict[str, ClassDef], deps: dict[str, set[str]]) -> dict[str, set[str]]:
    """For each class, the classes of its reference cycle it may name by a stand-in."""
    component = {name: i for i, members in enumerate(strongly_connected(deps)) for name in members}
    return {
        name: {d for d in named if component[d] == component[name] and _deferrable(classes[name], classes[d])}
        for name, named in deps.items()
    }


def _deferrable(made: ClassDef, target: ClassDef) -> bool:
    if not isinstance(target, ModelClass) or target.name in made.bases:
        return False
    if isinstance(made, RootClass):
        return made.annotation.kind != "discriminated"
    if isinstance(made, ModelClass):
        return all(
            shown.kind != "discriminated"
            for shown in (f.shown_annotation() for f in made.fields)
            if target.name in shown.names("model")
        )
    return False


@dataclass(frozen=True)
class Deferral:
    stand_ins: dict[str, frozenset[str]]  # module -> the names bound to stand-ins there
    imported: dict[str, frozenset[str]]  # module -> the names it imports from other modules
    marked: dict[str, frozenset[str]]  # class -> fields marked without naming a stand-in ("root": a root's)


def plan_deferral(
    classes: dict[str, ClassDef],
    deps: dict[str, set[str]],
    deferrable: dict[str, set[str]],
    owner: dict[str, str],
) -> Deferral:
    """What each module imports and binds to stand-ins, once the classes have their modules: a
    name imported for any class of a module is imported for all of them."""
    members: dict[str, list[str]] = {}
    for name, module in owner.items():
        members.setdefault(module, []).append(name)
    imported: dict[str, frozenset[str]] = {}
    stand_ins: dict[str, frozenset[str]] = {}
    for module, names in members.items():
        eager = {d for n in names for d in deps[n] - deferrable[n] if owner[d] != module}
        imported[module] = frozenset(eager)
        stand_ins[module] = frozenset({d for n in names for d in deferrable[n] if owner[d] != module} - eager)
    behind = _behind_functions(deps, {n: stand_ins[owner[n]] for n in deps})
    objects = {name for name, made in classes.items() if isinstance(made, ModelClass)}
    marked = {name: frozenset(_marked_fields(classes[name], behind, objects)) for name in classes}
    return Deferral(stand_ins, imported, {name: fields for name, fields in marked.items() if fields})


def _behind_functions(deps: dict[str, set[str]], stand_ins: dict[str, frozenset[str]]) -> set[str]:
    """The classes whose validation reaches a marked field: those naming a stand-in, and every
    class that names one of them (a marked field of its own only adds to what it names)."""
    users: dict[str, set[str]] = {}
    for name, named in deps.items():
        for dep in named - stand_ins[name]:
            users.setdefault(dep, set()).add(name)
    found = {name for name, named in deps.items() if named & stand_ins[name]}
    todo = list(found)
    while todo:
        for user in users.get(todo.pop(), ()):
            if user not in found:
                found.add(user)
                todo.append(user)
    return found


def _marked_fields(made: ClassDef, behind: set[str], objects: set[str]) -> Iterator[str]:
    if isinstance(made, ModelClass):
        for f in made.fields:
            if _counts_fields_below(f.shown_annotation(), behind, objects):
                yield f.python
    elif isinstance(made, RootClass) and _counts_fields_below(made.annotation, behind, objects):
        yield "root"


def _counts_fields_below(annotation: TypeRef, behind: set[str], objects: set[str]) -> bool:
    """Whether a union in `annotation` has several object models to choose from by the fields
    they set, one of them reaching a marked field (a discriminated union picks by its tag)."""
    if annotation.kind == "discriminated":
        return False
    if annotation.kind == "union":
        models = [m.name for m in annotation.args if m.is_model and m.name in objects]
        if len(models) >= 2 and not behind.isdisjoint(models):
            return True
    return any(_counts_fields_below(arg, behind, objects) for arg in annotation.args)
