"""Service nodes and their request."""

from __future__ import annotations

from typing import Any

from runtime.dialogs.model import (
    METHODS,
    UNSAFE_METHODS,
    IdempotencyKey,
    NodeKind,
    Request,
    ServiceNode,
    Verify,
)
from runtime.dialogs.reading.keys import IDEMPOTENCY_KEYS, REQUEST_KEYS, VERIFY_KEYS
from runtime.dialogs.reading.values import Reader
from runtime.dialogs.reading.wording import describe, plain, show
from runtime.outbound import HTTP_TIMEOUT
from runtime.yaml_lines import YamlMap, YamlSeq


def read_service(r: Reader, raw: YamlMap, base: dict[str, Any], where: str) -> ServiceNode:
    auth = None
    if "auth" in raw:
        value = raw["auth"]
        if isinstance(value, str) and value:
            auth = value
        else:
            r.problem(
                raw.line_of("auth"),
                f"`auth` in {where} must name an auth profile of config.yaml, "
                f"got {describe(value)}",
            )
    request = _request(r, raw, where)
    verify = _verify(r, raw, where)
    if verify is not None and request.method == "GET":
        r.problem(
            raw.line_of("verify"),
            f"`verify` in {where} checks whether a call with a side effect happened; a GET has "
            "none, so remove `verify` (or give the request the method that changes something)",
        )
    return ServiceNode(
        **base,
        kind=NodeKind.SERVICE,
        request=request,
        auth=auth,
        on_error=r.node_ref(raw, "on_error", where),
        on_auth_failure=r.node_ref(raw, "on_auth_failure", where),
        progress=r.text(raw, "progress", where),
        verify=verify,
        on_unknown=r.node_ref(raw, "on_unknown", where),
        idempotency_key=_idempotency_key(r, raw, where),
    )


def _request(r: Reader, raw: YamlMap, where: str) -> Request:
    if "request" not in raw:
        r.problem(raw.line, f"{where} needs `request` with at least `url`")
        return Request(url="")
    request = raw["request"]
    if not isinstance(request, YamlMap):
        r.problem(
            raw.line_of("request"),
            f"`request` in {where} must be a mapping with at least `url`, got {describe(request)}",
        )
        return Request(url="")
    label = f"the request of {where}"
    r.check_keys(request, REQUEST_KEYS, label)
    return _request_fields(r, request, raw.line_of("request"), label, where)


def _verify(r: Reader, raw: YamlMap, where: str) -> Verify | None:
    """`verify`: a request like `request`, plus `found` and an optional `response`."""
    if "verify" not in raw:
        return None
    verify = raw["verify"]
    line = raw.line_of("verify")
    if not isinstance(verify, YamlMap):
        r.problem(
            line,
            f"`verify` in {where} must be a mapping: a request (`url`, `method`, `query` ...) "
            f"with `found: EXPR`, got {describe(verify)}",
        )
        return None
    label = f"`verify` of {where}"
    r.check_keys(verify, VERIFY_KEYS, label)
    request = _request_fields(r, verify, line, label, where)
    if request.method in UNSAFE_METHODS:
        r.problem(
            verify.line_of("method"),
            f"`verify` in {where} must not change anything itself; use GET (a read or a "
            f"query), not {request.method}",
        )
    found = None
    if "found" not in verify:
        r.problem(
            line,
            f"{label} needs `found`, an expression over the verify answer that is true when "
            "the call took effect, e.g. found: response.body.totalSize > 0",
        )
    else:
        found = r.expression(verify["found"], verify.line_of("found"), f"`found` in {label}")
    has_response = "response" in verify
    if has_response:
        _check_json(r, verify["response"], verify.line_of("response"), "response", label)
    return Verify(
        request=request,
        found=found or "false",
        response=plain(verify.get("response")),
        has_response=has_response,
    )


def _idempotency_key(r: Reader, raw: YamlMap, where: str) -> IdempotencyKey | None:
    """`idempotency_key: TEMPLATE` (sent as Idempotency-Key) or `{header: NAME, value: T}`."""
    if "idempotency_key" not in raw:
        return None
    value, line = raw["idempotency_key"], raw.line_of("idempotency_key")
    if isinstance(value, YamlMap):
        label = f"`idempotency_key` of {where}"
        r.check_keys(value, IDEMPOTENCY_KEYS, label)
        text = r.text(value, "value", label, required=True, line=line)
        header = r.text(value, "header", label) or "Idempotency-Key"
        return IdempotencyKey(text, header.strip()) if text else None
    text = r.as_text(value, line, "`idempotency_key`", where)
    return IdempotencyKey(text) if text else None


def _request_fields(r: Reader, request: YamlMap, line: int, label: str, where: str) -> Request:
    method = request.get("method", "GET")
    if not isinstance(method, str) or method.upper() not in METHODS:
        r.problem(
            request.line_of("method"),
            f"`method` in {where} must be one of {', '.join(METHODS)}, got {show(method)}",
        )
        method = "GET"
    has_json = "json" in request
    if has_json:
        _check_json(r, request["json"], request.line_of("json"), "json", where)
    timeout = HTTP_TIMEOUT
    if "timeout" in request:
        value = request["timeout"]
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            timeout = float(value)
        else:
            r.problem(
                request.line_of("timeout"),
                f"`timeout` in {where} must be a number of seconds greater than 0, "
                f"got {show(value)}",
            )
    return Request(
        url=r.text(request, "url", label, required=True, line=line) or "",
        method=method.upper(),
        headers=_text_pairs(r, request, "headers", where),
        query=_text_pairs(r, request, "query", where),
        json=plain(request.get("json")),
        has_json=has_json,
        json_drop_nulls=r.flag(request, "json_drop_nulls", where),
        timeout=timeout,
    )


def _text_pairs(r: Reader, request: YamlMap, key: str, where: str) -> tuple[tuple[str, str], ...]:
    if key not in request:
        return ()
    value = request[key]
    if not isinstance(value, YamlMap):
        r.problem(
            request.line_of(key),
            f"`{key}` in {where} must be a mapping of names to texts, got {describe(value)}",
        )
        return ()
    pairs = []
    for name, item in value.items():
        text = r.as_text(item, value.line_of(name), f"`{key}` {name}", where, empty_ok=True)
        if text is not None:
            pairs.append((str(name), text))
    return tuple(pairs)


def _check_json(r: Reader, value: Any, line: int, path: str, where: str) -> None:
    if isinstance(value, YamlMap):
        for key, item in value.items():
            _check_json(r, item, value.line_of(key), f"{path}.{key}", where)
    elif isinstance(value, YamlSeq):
        for index, item in enumerate(value):
            _check_json(r, item, value.line_of(index), f"{path}.{index}", where)
    elif not isinstance(value, str | int | float | bool | type(None)):
        r.problem(
            line,
            f"`{path}` in {where} holds {describe(value)}; JSON can only hold texts, "
            "numbers, true/false, null, lists and mappings",
        )
