"""The whole release flow against a real package index on loopback.

pypiserver serves a folder that holds only what this test puts there: the dependencies of our
packages, downloaded into it first, and whatever gets published. It never falls back to another
index, and pip in the fresh virtualenv reads no configuration but `--index-url` pointing at it.
Version 1 of both packages is published with the publish module (`make publish` minus the curated
paths), installed and used by a downstream script; then a breaking spec change (an operation
removed) is released as a major version, published, and `pip install -U` picks it up.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import venv
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from codegen.output.write import write_tree
from codegen.pipeline import generate_package
from codegen.release.flow import release
from codegen.release.publish import Refused, Target, publish
from codegen.release.record import load_record

ROOT = Path(__file__).resolve().parents[2]
DOWNSTREAM = ROOT / "tests" / "packaging" / "downstream.py"


def _recorded(name: str) -> str:
    """The version the release record holds: the one the committed package carries."""
    record = load_record(ROOT / "specs" / "releases" / f"{name}.json")
    assert record is not None
    return record.version


RELOOP, REPLY = _recorded("reloop"), _recorded("reply")
RELOOP_NEXT_MAJOR = f"{int(RELOOP.split('.')[0]) + 1}.0.0"
USER, PASSWORD = "publisher", "s3cret-for-this-test"
# What the generated pyproject declares; pip resolves the rest of the tree when downloading.
DEPENDENCIES = ["httpx>=0.27,<1", "pydantic>=2.7,<3"]

pytestmark = pytest.mark.index


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _clean_pip_env() -> dict[str, str]:
    """The environment without any pip configuration: no extra index, no find-links, no config file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False, env=env, cwd=cwd)
    assert proc.returncode == 0, f"{command}\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc.stdout


@pytest.fixture
def index(tmp_path: Path) -> Iterator[str]:
    from passlib.apache import HtpasswdFile

    packages = tmp_path / "index"
    packages.mkdir()
    # From the registry, into the index: the only third-party files the fresh virtualenv can get.
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--only-binary=:all:",
            "--dest",
            str(packages),
            *DEPENDENCIES,
        ]
    )
    htpasswd = HtpasswdFile(str(tmp_path / "htpasswd"), new=True)
    htpasswd.set_password(USER, PASSWORD)
    htpasswd.save()
    port = _free_port()
    log = (tmp_path / "pypiserver.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pypiserver",
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--passwords",
            str(tmp_path / "htpasswd"),
            "--authenticate",
            "update",
            "--disable-fallback",
            "--backend",
            "simple-dir",
            "--hash-algo",
            "sha256",
            str(packages),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "pypiserver.log").read_text()
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def _layout(tmp_path: Path) -> tuple[dict[str, Target], Path]:
    """A copy of the curated specs and records, with their packages generated next to them."""
    specs = tmp_path / "repo" / "specs"
    (specs / "releases").mkdir(parents=True)
    targets: dict[str, Target] = {}
    for name in ("reloop", "reply"):
        shutil.copy(ROOT / "specs" / f"{name}.yaml", specs / f"{name}.yaml")
        shutil.copy(ROOT / "specs" / "releases" / f"{name}.json", specs / "releases" / f"{name}.json")
        out = tmp_path / "repo" / "generated" / name
        write_tree(out, generate_package(specs / f"{name}.yaml").files)
        targets[name] = Target(specs / f"{name}.yaml", out)
    return targets, tmp_path / "repo" / "dist"


def _install(python: Path, simple: str, *args: str) -> None:
    # This environment's pip installs into the fresh one (`--python`): ensurepip would add 10 s.
    command = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-cache-dir"]
    _run([*command, "--index-url", simple, *args], env=_clean_pip_env())


def _downstream(python: Path, tmp_path: Path) -> dict[str, object]:
    script = tmp_path / "downstream.py"
    script.write_text(DOWNSTREAM.read_text())
    seen: dict[str, object] = json.loads(_run([str(python), str(script)], env=_clean_pip_env(), cwd=tmp_path))
    return seen


def test_publish_install_release_and_upgrade(tmp_path: Path, index: str) -> None:
    started = time.monotonic()
    simple = f"{index}/simple/"
    twine_env = {**os.environ, "TWINE_REPOSITORY_URL": index, "TWINE_USERNAME": USER, "TWINE_PASSWORD": PASSWORD}
    targets, dist = _layout(tmp_path)
    messages: list[str] = []

    uploaded = publish(list(targets.values()), dist, env=twine_env, log=messages.append)
    assert sorted(p.name for p in uploaded) == [
        f"reloop_client-{RELOOP}-py3-none-any.whl",
        f"reloop_client-{RELOOP}.tar.gz",
        f"replyio_client-{REPLY}-py3-none-any.whl",
        f"replyio_client-{REPLY}.tar.gz",
    ]
    projects = httpx.get(simple).text
    assert "reloop-client" in projects and "replyio-client" in projects and "pydantic" in projects

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, clear=True).create(env_dir)
    python = env_dir / "bin" / "python"
    _install(python, simple, "reloop-client", "replyio-client")
    first = _downstream(python, tmp_path)
    assert first["versions"] == {"reloop": RELOOP, "replyio": REPLY}
    assert first["domain"] == "example.com" and first["user_id"] == 7

    # The same versions again: nothing new, refused.
    with pytest.raises(Refused, match="nothing to publish"):
        publish(list(targets.values()), dist, env=twine_env, log=messages.append)

    # A breaking change: the spec loses an operation (refusals before a release: test_publish_checks.py).
    spec = targets["reloop"].spec
    document = yaml.safe_load(spec.read_text())
    del document["paths"]["/api/domain/v1/{domain_id}"]["delete"]
    spec.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    outcome = release(spec, targets["reloop"].package_dir)
    assert (outcome.version, outcome.bump) == (RELOOP_NEXT_MAJOR, "major")
    changelog = (targets["reloop"].package_dir / "CHANGELOG.md").read_text()
    entry = changelog.split("\n## ")[1]
    assert entry.startswith(f"{RELOOP_NEXT_MAJOR}\n")
    assert "- **Breaking:** `client.domains.delete()`: removed method (DELETE /api/domain/v1/{domain_id})" in entry

    wrong = {**twine_env, "TWINE_PASSWORD": "not-the-password"}
    with pytest.raises(Refused, match="twine upload failed"):
        publish(list(targets.values()), dist, env=wrong)
    messages.clear()
    uploaded = publish(list(targets.values()), dist, env=twine_env, log=messages.append)
    assert sorted(p.name for p in uploaded) == [
        f"reloop_client-{RELOOP_NEXT_MAJOR}-py3-none-any.whl",
        f"reloop_client-{RELOOP_NEXT_MAJOR}.tar.gz",
    ]
    assert any(f"replyio_client-{REPLY}.tar.gz is on the index already" in m for m in messages)

    _install(python, simple, "-U", "reloop-client", "replyio-client")
    second = _downstream(python, tmp_path)
    assert second["versions"] == {"reloop": RELOOP_NEXT_MAJOR, "replyio": REPLY}
    check = (
        "import reloop; assert not hasattr(reloop.Reloop(api_key='k').domains, 'delete'); print(reloop.__api_version__)"
    )
    assert _run([str(python), "-c", check], env=_clean_pip_env(), cwd=tmp_path).strip() == "1.0.0"
    print(f"publish round trip: {time.monotonic() - started:.1f} s")
