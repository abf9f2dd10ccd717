"""The built wheels as users get them: complete metadata, py.typed, twine check, and a downstream
script that imports and calls both clients inside a fresh virtualenv (not the development one).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import venv
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from .conftest import ROOT, Built

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent


def _wheel_metadata(built: Built) -> tuple[dict[str, list[str]], str, list[str]]:
    with zipfile.ZipFile(built.wheel) as wheel:
        names = wheel.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        message = Parser().parsestr(wheel.read(meta_name).decode())
    fields: dict[str, list[str]] = {}
    for key, value in message.items():
        fields.setdefault(key, []).append(value)
    return fields, str(message.get_payload()), names


@pytest.mark.parametrize("folder", ["reloop", "reply"])
def test_wheel_metadata_is_complete(built: dict[str, Built], folder: str) -> None:
    b = built[folder]
    fields, description, names = _wheel_metadata(b)
    assert fields["Name"] == [b.distribution]
    version = fields["Version"][0]
    Version(version)  # PEP 440
    init = (ROOT / "generated" / folder / "src" / b.package / "__init__.py").read_text()
    assert f'__version__ = "{version}"' in init
    assert fields["Requires-Python"] == [">=3.11"]
    classifiers = fields["Classifier"]
    assert "Programming Language :: Python :: 3.11" in classifiers and "Typing :: Typed" in classifiers
    # Links the spec gives (info.contact.url here; externalDocs too when a spec has it).
    homepage = {"reloop": "https://reloop.sh/docs/api", "reply": "https://docs.reply.io/"}[folder]
    assert fields["Project-URL"] == [f"Homepage, {homepage}"]
    assert fields.get("License-Expression") == ["MIT"]
    assert fields["Summary"][0].strip()
    requirements = {Requirement(r).name: Requirement(r) for r in fields["Requires-Dist"] if "extra ==" not in r}
    for dependency in ("httpx", "pydantic"):
        assert dependency in requirements, f"{dependency} missing from Requires-Dist"
        lower = [s for s in requirements[dependency].specifier if s.operator in (">=", "~=", "==")]
        assert lower, f"{dependency} needs a lower bound: {requirements[dependency]}"
    readme = (ROOT / "generated" / folder / "README.md").read_text()
    assert fields["Description-Content-Type"] == ["text/markdown"]
    assert description.strip() == readme.strip()
    assert f"{b.package}/py.typed" in names
    assert f"{b.package}/models.py" in names and f"{b.package}/resources/__init__.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


@pytest.mark.parametrize("folder", ["reloop", "reply"])
def test_sdist_holds_the_sources(built: dict[str, Built], folder: str) -> None:
    b = built[folder]
    with tarfile.open(b.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    for required in ("pyproject.toml", "README.md", f"src/{b.package}/py.typed", f"src/{b.package}/__init__.py"):
        assert required in names, f"{required} missing from {b.sdist.name}"


def test_twine_check_passes(built: dict[str, Built]) -> None:
    files = [str(p) for b in built.values() for p in (b.wheel, b.sdist)]
    proc = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_wheels_work_in_a_fresh_virtualenv(built: dict[str, Built], tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # Only the wheels and what they declare: httpx and pydantic come from the registry.
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    install = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *[str(b.wheel) for b in built.values()],
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=clean_env,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    script = tmp_path / "downstream.py"
    script.write_text((HERE / "downstream.py").read_text())
    run = subprocess.run(
        [str(python), str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env=clean_env,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    seen = json.loads(run.stdout)
    site = str(env_dir)
    assert all(path.startswith(site) for path in seen["files"].values()), seen["files"]
    assert seen["domain"] == "example.com"
    assert seen["not_found"] == "404 no such id"
    assert seen["user_id"] == 7
    for package, meta in seen["metadata"].items():
        assert meta["version"] == seen["versions"][package]
        assert meta["py_typed"] is True
        assert meta["requires_python"] == ">=3.11"
        assert meta["license"] == "MIT"
        assert meta["description_content_type"] == "text/markdown" and meta["description"].strip()
