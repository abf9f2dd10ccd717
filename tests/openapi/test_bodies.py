"""Multipart and form uploads, binary and text bodies and responses, default responses."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from .conftest import Generated, Wire, json_response


@pytest.fixture
def bodies(fixture_package: Any) -> Generated:
    gen: Generated = fixture_package("bodies")
    return gen


def _multipart_parts(request: httpx.Request) -> dict[str, list[bytes]]:
    boundary = request.headers["Content-Type"].split("boundary=")[1].encode()
    parts: dict[str, list[bytes]] = {}
    for chunk in request.content.split(b"--" + boundary)[1:-1]:
        head, _, value = chunk.strip(b"\r\n").partition(b"\r\n\r\n")
        name = head.split(b'name="')[1].split(b'"')[0].decode()
        parts.setdefault(name, []).append(value)
    return parts


def test_multipart_upload_with_keyword_fields(bodies: Generated, wire: Wire) -> None:
    client = wire.client(bodies, lambda r: json_response({"id": "f1", "size": 5}, 201))
    upload = wire.call(client.files.upload(file=b"\x00\x01binary", title="Report", tags=["a", "b"]))
    request = wire.last
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    parts = _multipart_parts(request)
    assert parts["file"] == [b"\x00\x01binary"] and parts["title"] == [b"Report"] and parts["tags"] == [b"a", b"b"]
    assert request.headers["X-Api-Key"] == "secret-key"
    assert upload.id == "f1"


def _file_head(request: httpx.Request) -> bytes:
    boundary = request.headers["Content-Type"].split("boundary=")[1].encode()
    for chunk in request.content.split(b"--" + boundary)[1:-1]:
        if b'name="file"' in chunk:
            return chunk.strip(b"\r\n").partition(b"\r\n\r\n")[0]
    raise AssertionError("no file part")


@pytest.mark.parametrize("kind", ["bytes", "path", "open file", "tuple"])
def test_every_kind_of_file_input(bodies: Generated, wire: Wire, kind: str, tmp_path: Any) -> None:
    import pathlib

    path = pathlib.Path(tmp_path) / "report.pdf"
    path.write_bytes(b"%PDF-1.7 data")
    value: Any = {
        "bytes": b"%PDF-1.7 data",
        "path": path,
        "tuple": ("report.pdf", b"%PDF-1.7 data", "application/pdf"),
    }.get(kind)
    handle = path.open("rb") if kind == "open file" else None
    client = wire.client(bodies, lambda r: json_response({"id": "f1", "size": 5}, 201))
    try:
        wire.call(client.files.upload(file=handle or value))
    finally:
        if handle is not None:
            handle.close()
    parts = _multipart_parts(wire.last)
    assert parts["file"] == [b"%PDF-1.7 data"]
    head = _file_head(wire.last)
    if kind != "bytes":
        assert b'filename="report.pdf"' in head and b"Content-Type: application/pdf" in head


def test_a_path_string_is_never_read_as_a_file(bodies: Generated, wire: Wire, tmp_path: Any) -> None:
    import pathlib

    secret = pathlib.Path(tmp_path) / "secret.txt"
    secret.write_text("do not send me")
    client = wire.client(bodies, lambda r: json_response({"id": "f1", "size": 5}, 201))
    wire.call(client.files.upload(file=b"x", title=str(secret)))
    parts = _multipart_parts(wire.last)
    assert parts["title"] == [str(secret).encode()] and b"do not send me" not in wire.last.content


def test_a_misspelt_keyword_raises_before_sending(bodies: Generated, wire: Wire) -> None:
    client = wire.client(bodies, lambda r: json_response({"id": "f1", "size": 5}, 201))
    with pytest.raises(TypeError, match="titel"):
        wire.call(client.files.upload(file=b"x", titel="Report"))
    assert wire.requests == []


def test_binary_download_and_upload(bodies: Generated, wire: Wire) -> None:
    data = bytes(range(256))
    client = wire.client(
        bodies, lambda r: httpx.Response(200, content=data) if r.method == "GET" else httpx.Response(204)
    )
    assert wire.call(client.files.download("f1")) == data
    assert wire.last.headers["Accept"] == "application/octet-stream"
    assert wire.call(client.files.replace_content("f1", data)) is None
    assert wire.last.content == data and wire.last.headers["Content-Type"] == "application/octet-stream"


def test_image_response(bodies: Generated, wire: Wire) -> None:
    png = b"\x89PNG\r\n\x1a\n"
    client = wire.client(bodies, lambda r: httpx.Response(200, content=png, headers={"content-type": "image/png"}))
    assert wire.call(client.files.preview("f1")) == png
    assert wire.last.headers["Accept"] == "image/png"


def test_form_urlencoded_and_text_response(bodies: Generated, wire: Wire) -> None:
    client = wire.client(bodies, lambda r: httpx.Response(200, text="tok-123", headers={"content-type": "text/plain"}))
    token = wire.call(client.session.login(username="ada", password="p&ss=", remember=True))
    request = wire.last
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.content.decode()) == {"username": ["ada"], "password": ["p&ss="], "remember": ["true"]}
    assert token == "tok-123"


def test_text_body_and_default_response(bodies: Generated, wire: Wire) -> None:
    client = wire.client(bodies, lambda r: json_response({"id": "n1", "size": 3}, 202))
    note = wire.call(client.notes.create(body="héllo"))
    assert wire.last.content == "héllo".encode() and wire.last.headers["Content-Type"] == "text/plain"
    assert note.id == "n1"


def test_csv_report_is_deprecated(bodies: Generated, wire: Wire) -> None:
    client = wire.client(bodies, lambda r: httpx.Response(200, text="a,b\n1,2\n", headers={"content-type": "text/csv"}))
    with pytest.warns(DeprecationWarning):
        assert wire.call(client.reports.export()) == "a,b\n1,2\n"


def test_head_request(bodies: Generated, wire: Wire) -> None:
    client = wire.client(bodies, lambda r: httpx.Response(200))
    assert wire.call(client.health.check()) is None
    assert wire.last.method == "HEAD"


def test_error_body_of_another_media_type(bodies: Generated, wire: Wire) -> None:
    problem = {"title": "Too large", "status": 413}
    client = wire.client(
        bodies,
        lambda r: httpx.Response(
            413, content=json.dumps(problem).encode(), headers={"content-type": "application/problem+json"}
        ),
    )
    with pytest.raises(bodies.module.APIStatusError) as raised:
        wire.call(client.files.upload(file=b"x"))
    assert raised.value.status_code == 413 and raised.value.body == problem


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, {"id": "f", "size": 1}, "Upload"),
        (201, {"title": "made", "status": 201}, "Problem"),
        (204, None, "NoneType"),
    ],
)
def test_several_success_answers(bodies: Generated, wire: Wire, status: int, body: Any, expected: str) -> None:
    response = httpx.Response(status) if body is None else json_response(body, status)
    client = wire.client(bodies, lambda r: response)
    result = wire.call(client.files.put_tags("f", body=["a", "b"]))
    assert type(result).__name__ == expected
    assert json.loads(wire.last.content) == ["a", "b"]
