"""Errors the sandbox answers with, in Salesforce's two wire shapes.

    SandboxError
    ├── ApiError        REST: a JSON array [{"message", "errorCode", "fields"?}] with a status
    ├── OAuthError      OAuth endpoints: {"error", "error_description"}, status 400 unless told
    └── PlainTextError  a bare text answer (the identity endpoints' 403 Bad_OAuth_Token)

Handlers raise them; the error middleware turns them into responses.
"""

from __future__ import annotations

from typing import Any


class SandboxError(Exception):
    """Root of the sandbox's own errors."""


class ApiError(SandboxError):
    """A REST error. `code_first` puts errorCode before message, as some code paths do."""

    def __init__(
        self,
        status: int,
        error_code: str,
        message: str,
        fields: list[str] | None = None,
        *,
        code_first: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{error_code}: {message}")
        self.status = status
        self.error_code = error_code
        self.message = message
        self.fields = fields
        self.code_first = code_first
        self.headers = headers or {}

    def body(self) -> list[dict[str, Any]]:
        """The error array exactly as Salesforce sends it."""
        if self.code_first:
            item: dict[str, Any] = {"errorCode": self.error_code, "message": self.message}
        else:
            item = {"message": self.message, "errorCode": self.error_code}
        if self.fields is not None:
            item["fields"] = self.fields
        return [item]


class OAuthError(SandboxError):
    """An OAuth endpoint error."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


class PlainTextError(SandboxError):
    """An error answered as plain text."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


NOT_FOUND_MESSAGE = "The requested resource does not exist"


def not_found(message: str = NOT_FOUND_MESSAGE) -> ApiError:
    """404 NOT_FOUND, errorCode first as recorded."""
    return ApiError(404, "NOT_FOUND", message, code_first=True)


def invalid_session(message: str = "Session expired or invalid") -> ApiError:
    """401 INVALID_SESSION_ID with the WWW-Authenticate header Salesforce sends."""
    return ApiError(401, "INVALID_SESSION_ID", message, headers={"WWW-Authenticate": "Token"})


def method_not_allowed(method: str, allowed: str) -> ApiError:
    return ApiError(
        405,
        "METHOD_NOT_ALLOWED",
        f"HTTP Method '{method}' not allowed. Allowed are {allowed}",
        code_first=True,
    )


def entity_is_deleted() -> ApiError:
    return ApiError(404, "ENTITY_IS_DELETED", "entity is deleted", [])


def json_parser_error(message: str) -> ApiError:
    return ApiError(400, "JSON_PARSER_ERROR", message)
