"""Pydantic v2 models through datamodel-code-generator's Python API, steered by its own options only.

What the output needs beyond its defaults comes in through documented means: our templates
(templates/models/: wire names as validation and serialization aliases, pyright's ignore on fields that
narrow a base's type, open enums), per-class template data from the plan, the file header, the shared
base class and imports. Whether every planned class came out under its name is read from the
generator's model metadata (the schema pointer of each class it wrote), never from the text.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

from datamodel_code_generator import generate
from datamodel_code_generator.enums import DataModelType, InputFileType, NamingStrategy
from datamodel_code_generator.format import PythonVersion

from ..diagnostics import Diagnostic, SpecError
from .plan import SCHEMAS_POINTER, EmittedModels, ModelPlan, no_schemas_module

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "models"
_STRING_FORMATS = (
    "email",
    "idn-email",
    "uri",
    "uri-reference",
    "iri",
    "hostname",
    "idn-hostname",
    "ipv4",
    "ipv6",
    "uuid",
    "ulid",  # ulid.ULID from python-ulid, which the package does not depend on
)


def generate_models(plan: ModelPlan) -> EmittedModels:
    """models.py for the plan; a planned class the generator renamed or left out is still importable
    under its planned name (an alias, or Any), with a warning."""
    if not plan.schemas:
        return no_schemas_module(plan)
    with tempfile.TemporaryDirectory(prefix="codegen-models-") as tmp:
        metadata = Path(tmp) / "models.json"
        code = _generate(plan, metadata)
        written = _written_classes(metadata)
    tail, found = _fallbacks(plan, written)
    return EmittedModels(code + tail, found)


def _generate(plan: ModelPlan, metadata: Path) -> str:
    shared = f"{plan.package}._models"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            code = generate(
                # Only the schemas: the model generator walks whatever it is given.
                {
                    "openapi": plan.document.get("openapi", "3.1.0"),
                    "info": plan.document.get("info") or {},
                    "paths": {},
                    "components": {"schemas": plan.schemas},
                },
                input_file_type=InputFileType.OpenAPI,
                output_model_type=DataModelType.PydanticV2BaseModel,
                base_class=f"{shared}.BaseModel",
                # TypeAlias for the fallbacks below; the formatter's lint pass drops what is unused.
                additional_imports=[f"{shared}.open_enum_member", "typing.Any", "typing.TypeAlias"],
                custom_template_dir=TEMPLATES,
                extra_template_data=_template_data(plan),
                custom_file_header=f"# {plan.header}",
                emit_model_metadata=metadata,
                disable_timestamp=True,
                formatters=[],
                target_python_version=PythonVersion.PY_311,
                use_standard_collections=True,
                use_union_operator=True,
                field_constraints=True,
                snake_case_field=True,
                use_schema_description=True,
                use_field_description=True,
                capitalise_enum_members=True,
                use_title_as_name=False,
                collapse_root_models=True,
                strict_nullable=True,
                use_double_quotes=True,
                # `default=` as a keyword: type checkers see such fields as optional.
                use_default_kwarg=True,
                set_default_enum_member=True,
                # Inline enums and objects are named after their parent (ContactStatus), not numbered.
                naming_strategy=NamingStrategy.ParentPrefixed,
                # Plain str for these formats: no extra dependency (email-validator) and values
                # compare equal to the strings users pass and read.
                type_mappings=[f"{fmt}=string" for fmt in _STRING_FORMATS],
            )
        except Exception as exc:  # the generator raises many types; all mean the same to users
            raise SpecError(
                [Diagnostic(plan.spec_file, None, SCHEMAS_POINTER, f"model generation failed: {exc}")]
            ) from None
    if not isinstance(code, str):
        raise SpecError(
            [Diagnostic(plan.spec_file, None, SCHEMAS_POINTER, "model generation produced several modules")]
        )
    return code


def _template_data(plan: ModelPlan) -> defaultdict[str, dict[str, Any]]:
    """Per class, by its schema pointer: the wire names of the fields that narrow a base's type."""
    data: defaultdict[str, dict[str, Any]] = defaultdict(dict)
    for pointer, wires in plan.narrowed.items():
        data[pointer]["narrowed"] = list(wires)
    return data


def _written_classes(metadata: Path) -> dict[str, list[str]]:
    """Schema pointer -> the classes the generator wrote for it, the schema's own first (its
    --emit-model-metadata output; a union member, for one, may give a schema further classes)."""
    models: list[dict[str, Any]] = json.loads(metadata.read_text(encoding="utf-8")).get("models") or []
    written: dict[str, list[str]] = {}
    for model in models:
        if isinstance(model.get("source_ref"), str) and isinstance(model.get("class_name"), str):
            written.setdefault(model["source_ref"], []).append(model["class_name"])
    return written


def _fallbacks(plan: ModelPlan, written: dict[str, list[str]]) -> tuple[str, tuple[Diagnostic, ...]]:
    """datamodel-code-generator may give a class another name (a name its own bookkeeping took first,
    `Region` -> `Region1`) or build none for a schema it folds into others. Resource modules import
    the planned names, so each gets an alias of what was written, or Any, instead of a failed run."""
    taken = {name for names in written.values() for name in names}
    lines: list[str] = []
    found: list[Diagnostic] = []
    for pointer, name in sorted(plan.classes.items(), key=lambda item: item[1]):
        classes = written.get(pointer) or []
        if name in classes:
            continue
        actual = classes[0] if classes else None
        where = pointer.removeprefix("#")
        if name in taken:  # another schema's class holds the name: an alias would replace it
            message = f"the model generator gave the name {name} to another schema's class; models.{name} is that class"
        elif actual is not None:
            lines.append(f"{name} = {actual}")
            message = f"the model generator named class {name} {actual}; models.{name} is an alias of it"
        else:
            lines.append(f"{name}: TypeAlias = Any")
            message = f"the model generator did not define class {name}; it is typed Any"
        found.append(Diagnostic(plan.spec_file, None, where, message, "warning"))
    return ("\n\n" + "\n".join(lines) + "\n" if lines else ""), tuple(found)
