"""Malformed requests get Salesforce's error shapes, never a traceback or an HTML 500."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from sandbox import gate

MALFORMED: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "sobjects/Lead", {"content": b"[1, 2]"}),
    ("POST", "sobjects/Lead", {"content": b'"just a string"'}),
    ("POST", "sobjects/Lead", {"content": b"\xff\xfe\xfd"}),
    ("POST", "sobjects/Lead", {"content": b'{"LastName": {"nested": 1}, "Company": "x"}'}),
    ("POST", "sobjects/Lead", {"content": b'{"NumberOfEmployees": "many"}'}),
    ("POST", "sobjects/Lead", {"content": b'{"LastName": "x", "Company": "y", "CloseDate": 1}'}),
    ("POST", "sobjects/Opportunity", {"content": b'{"CloseDate": "2025-02-30"}'}),
    ("POST", "sobjects/Lead", {"content": b"[" * 5000}),
    ("POST", "sobjects/Lead", {"content": b"x=1", "headers": {"Content-Type": "text/plain"}}),
    ("PATCH", "sobjects/Lead/" + "0" * 300, {"content": b"{}"}),
    ("GET", "sobjects/Lead/%00%01", {}),
    ("GET", "sobjects/%E2%98%83/x", {}),
    ("GET", "query?q=SELECT+Id+FROM+Lead+WHERE+Name+%3D+%27%5Cz%27", {}),
    ("GET", "query?q=" + "(" * 3000, {}),
    ("GET", "query/01g-abc", {}),
    ("GET", "search?q=FIND+%7B%22unterminated%7D", {}),
    ("GET", "parameterizedSearch?q=x&overallLimit=lots", {}),
    ("POST", "parameterizedSearch", {"content": b"{bad json"}),
    ("DELETE", "sobjects/Lead", {}),
    ("GET", "sobjects/Lead/describe/extra/parts", {}),
]


@pytest.mark.parametrize(("verb", "path", "options"), MALFORMED)
async def test_malformed_rest_requests(
    api: httpx2.AsyncClient, verb: str, path: str, options: dict[str, Any]
) -> None:
    headers = {"Content-Type": "application/json", **options.get("headers", {})}
    answer = await api.request(verb, path, content=options.get("content"), headers=headers)
    assert 400 <= answer.status_code < 500, answer.text
    body = answer.json()
    assert isinstance(body, list) and {"message", "errorCode"} <= set(body[0])
    assert "Traceback" not in answer.text
    assert answer.headers["sforce-limit-info"].startswith("api-usage=")


async def test_oversized_body_is_refused_in_shape(api: httpx2.AsyncClient) -> None:
    big = b'{"LastName": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    answer = await api.post(
        "sobjects/Lead", content=big, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413
    assert answer.json()[0]["errorCode"] == "REQUEST_ENTITY_TOO_LARGE"


@pytest.mark.parametrize(
    ("verb", "path", "options"),
    [
        (
            "POST",
            "/services/oauth2/token",
            {
                "content": b"\xff=\xfe",
                "headers": {"Content-Type": "application/x-www-form-urlencoded"},
            },
        ),
        ("POST", "/services/oauth2/token", {"data": {"grant_type": "refresh_token"}}),
        (
            "POST",
            "/services/oauth2/token",
            {
                "data": {"grant_type": "authorization_code"},
                "headers": {"Authorization": "Basic %%%"},
            },
        ),
        (
            "POST",
            "/services/oauth2/revoke",
            {"content": b"{}", "headers": {"Content-Type": "application/json"}},
        ),
        ("GET", "/services/oauth2/revoke?token=x&callback=alert(1)//", {}),
        ("PUT", "/services/oauth2/token", {}),
        ("GET", "/services/oauth2/nothing", {}),
    ],
)
async def test_malformed_oauth_requests(
    http: httpx2.AsyncClient, verb: str, path: str, options: dict[str, Any]
) -> None:
    answer = await http.request(verb, path, **options)
    assert 400 <= answer.status_code < 500, answer.text
    body = answer.json()
    assert set(body) == {"error", "error_description"}


async def test_authorize_with_garbage_never_fails(http: httpx2.AsyncClient) -> None:
    for query in ("", "?client_id=%FF", "?response_type=code&client_id=" + "x" * 5000):
        answer = await http.get("/services/oauth2/authorize" + query)
        assert answer.status_code == 400
        assert answer.text.startswith("error=invalid_client_id")


async def test_unexpected_exception_becomes_unknown_exception() -> None:
    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError("bug")

    app = web.Application(middlewares=[gate.errors])
    app.router.add_get("/services/data/v59.0/broken", broken)
    app.router.add_get("/services/oauth2/broken", broken)
    async with TestClient(TestServer(app)) as client:
        rest = await client.get("/services/data/v59.0/broken")
        assert rest.status == 500
        [body] = await rest.json(content_type=None)
        assert body["errorCode"] == "UNKNOWN_EXCEPTION"
        assert body["message"].startswith(
            "An unexpected error occurred. Please include this ErrorId"
        )
        assert "bug" not in await rest.text()
        oauth = await client.get("/services/oauth2/broken")
        assert oauth.status == 500
        assert (await oauth.json(content_type=None))["error"] == "server_error"
