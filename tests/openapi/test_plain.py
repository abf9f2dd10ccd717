"""A plain OpenAPI 3.0 JSON document (no x- extensions) gives a working client."""

from __future__ import annotations

import json
import warnings
from typing import Any

import httpx
import pytest

from .conftest import Generated, Wire, json_response

TODO = {"id": 1, "title": "Write tests", "done": False, "note": None, "due": None, "tags": None, "assignee": None}


@pytest.fixture
def plain(fixture_package: Any) -> Generated:
    gen: Generated = fixture_package("plain_openapi30")
    return gen


def test_names_come_from_tags_operation_ids_and_paths(plain: Generated) -> None:
    client = plain.module.PlainTodo(api_key="k")
    assert {"get_todos", "create", "get", "delete", "patch_todos_todo_id"} <= set(dir(client.todos))
    assert hasattr(client.users, "get_users_me")  # no tag, no operationId: first path segment, method and path


def test_api_key_header_and_base_url_from_the_document(plain: Generated, wire: Wire) -> None:
    client = wire.client(plain, lambda r: json_response([TODO]), api_key="todo-key")
    todos = wire.call(client.todos.get_todos(done=False))
    request = wire.last
    assert str(request.url) == "https://todo.example.com/api/todos?done=false"
    assert request.headers["X-Todo-Key"] == "todo-key"
    assert todos[0].title == "Write tests" and todos[0].note is None


def test_key_from_the_environment(plain: Generated, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLAIN_TODO_API_KEY", "from-env")
    assert plain.module.PlainTodo().api_key == "from-env"


def test_nullable_fields_and_a_default_only_response(plain: Generated, wire: Wire) -> None:
    body = {**TODO, "note": "n", "due": "2026-01-31", "assignee": {"name": "Ada"}}
    client = wire.client(plain, lambda r: json_response(body))
    todo = wire.call(client.todos.get(1))
    assert str(todo.due) == "2026-01-31" and todo.assignee.name == "Ada"
    assert type(todo).__name__ == "Todo"


def test_request_body_from_model_or_dict(plain: Generated, wire: Wire) -> None:
    client = wire.client(plain, lambda r: json_response(TODO, 201))
    wire.call(client.todos.create(title="A"))
    assert json.loads(wire.last.content) == {"title": "A"}
    wire.call(client.todos.create(title="B", note=None))
    assert json.loads(wire.last.content) == {"title": "B", "note": None}


def test_deprecated_operation_warns(plain: Generated, wire: Wire) -> None:
    client = wire.client(plain, lambda r: httpx.Response(204))
    with pytest.warns(DeprecationWarning, match="delete is deprecated"):
        assert wire.call(client.todos.delete(3)) is None
    assert wire.last.method == "DELETE" and wire.last.url.path == "/api/todos/3"


def test_duplicate_operation_id_keeps_both_operations(plain: Generated) -> None:
    warnings_text = "\n".join(plain.package.warnings)
    assert "duplicate operationId 'getTodo'" in warnings_text and "/paths/~1todos~1{todoId}/patch" in warnings_text
    assert len(plain.package.all_operations()) == 6


def test_error_status_maps_to_exception(plain: Generated, wire: Wire) -> None:
    client = wire.client(plain, lambda r: json_response({"code": 7, "message": "nope"}, 404))
    with pytest.raises(plain.module.NotFoundError) as raised:
        wire.call(client.todos.get(9))
    assert raised.value.status_code == 404


def test_no_warnings_on_import(plain: Generated) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert plain.models.Todo.model_validate(TODO).done is False
