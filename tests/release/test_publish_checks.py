"""What `make publish` refuses before building anything, and where it looks for the index.

The upload itself, the index's simple page and the byte-for-byte skip run against a real index in
test_index_roundtrip.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from codegen.output.write import write_tree
from codegen.pipeline import generate_package
from codegen.release.flow import release
from codegen.release.publish import Refused, Target, check_targets, publish, simple_url_for, upload_settings
from codegen.release.record import record_path

SHOP = Path(__file__).resolve().parent / "specs" / "shop.yaml"


@pytest.fixture
def target(tmp_path: Path) -> Target:
    spec = tmp_path / "specs" / "shop.yaml"
    spec.parent.mkdir()
    shutil.copy(SHOP, spec)
    out = tmp_path / "generated" / "shop"
    release(spec, out)
    return Target(spec, out)


def test_a_released_up_to_date_package_may_be_published(target: Target) -> None:
    assert check_targets([target]) == []


def test_stale_output_is_refused(target: Target) -> None:
    (target.package_dir / "README.md").write_text("edited by hand\n")
    problems = check_targets([target])
    assert len(problems) == 1 and "is stale: run `make generate`" in problems[0]


def test_a_surface_change_without_a_release_is_refused(target: Target) -> None:
    document = yaml.safe_load(target.spec.read_text())
    del document["paths"]["/orders/{order_id}"]["delete"]
    target.spec.write_text(yaml.safe_dump(document, sort_keys=False))
    write_tree(target.package_dir, generate_package(target.spec).files)  # regenerated, not released
    problems = check_targets([target])
    assert len(problems) == 1
    assert problems[0].startswith("shop-client: surface changed since 2.1.0, run `make release` first:")
    assert "breaking:  client.orders.delete(): removed method" in problems[0]
    with pytest.raises(Refused, match="surface changed"):
        publish([target], target.package_dir.parent / "dist", env={"TWINE_REPOSITORY_URL": "http://127.0.0.1:9/"})
    assert not (target.package_dir.parent / "dist").exists()  # refused before building


def test_a_package_without_a_record_is_refused(target: Target) -> None:
    record_path(target.spec).unlink()
    write_tree(target.package_dir, generate_package(target.spec).files)
    assert any("has no release record" in p for p in check_targets([target]))


def test_no_index_configured_is_refused(target: Target, tmp_path: Path) -> None:
    with pytest.raises(Refused, match="no index to publish to"):
        publish([target], tmp_path / "dist", env={"HOME": str(tmp_path), "TWINE_REPOSITORY": "nowhere"})


def test_index_settings_from_twine_variables_or_pypirc(tmp_path: Path) -> None:
    assert upload_settings({"TWINE_REPOSITORY_URL": "http://127.0.0.1:8080/", "TWINE_USERNAME": "u"}) == (
        "http://127.0.0.1:8080/",
        None,
    )
    (tmp_path / ".pypirc").write_text(
        "[distutils]\nindex-servers = private\n\n"
        "[private]\nrepository = https://pkgs.example.com/legacy/\nusername = ci\npassword = token\n"
    )
    env = {"HOME": str(tmp_path), "TWINE_REPOSITORY": "private"}
    assert upload_settings(env) == ("https://pkgs.example.com/legacy/", ("ci", "token"))
    assert upload_settings({"HOME": str(tmp_path)}) == ("https://upload.pypi.org/legacy/", None)


@pytest.mark.parametrize(
    ("upload", "simple"),
    [
        ("https://upload.pypi.org/legacy/", "https://pypi.org/simple/"),
        ("https://test.pypi.org/legacy/", "https://test.pypi.org/simple/"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/simple/"),
        ("https://pkgs.example.com/legacy/", "https://pkgs.example.com/simple/"),
    ],
)
def test_simple_page_next_to_the_upload_url(upload: str, simple: str) -> None:
    assert simple_url_for(upload) == simple


def test_a_runtime_change_without_a_release_is_refused(
    target: Target, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codegen import render

    runtime = tmp_path / "runtime"
    shutil.copytree(render.RUNTIME, runtime)
    (runtime / "_retry.py").write_text(
        (runtime / "_retry.py").read_text(encoding="utf-8") + "\n# a fix\n", encoding="utf-8"
    )
    monkeypatch.setattr(render, "RUNTIME", runtime)
    write_tree(target.package_dir, generate_package(target.spec).files)  # regenerated, not released
    problems = check_targets([target])
    assert len(problems) == 1 and "its files changed since 2.1.0" in problems[0], problems
    release(target.spec, target.package_dir)
    assert check_targets([target]) == []
