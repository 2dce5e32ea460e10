"""Service nodes and their request."""

from __future__ import annotations

from typing import Any

from runtime.dialogs.model import METHODS, NodeKind, Request, ServiceNode
from runtime.dialogs.reading.keys import REQUEST_KEYS
from runtime.dialogs.reading.values import Reader
from runtime.dialogs.reading.wording import describe, plain, show
from runtime.dialogs.yaml_lines import YamlMap, YamlSeq


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
    return ServiceNode(
        **base,
        kind=NodeKind.SERVICE,
        request=_request(r, raw, where),
        auth=auth,
        on_error=r.node_ref(raw, "on_error", where),
        on_auth_failure=r.node_ref(raw, "on_auth_failure", where),
        progress=r.text(raw, "progress", where),
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
    timeout = 10.0
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
        url=r.text(request, "url", label, required=True, line=raw.line_of("request")) or "",
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
