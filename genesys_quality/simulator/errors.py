"""Genesys error bodies: `ErrorBody` for the API (genesys-api.md §5.3) and OAuth style for the token endpoint."""

from __future__ import annotations


class ApiError(Exception):
    """An API failure answered as an `ErrorBody` with its status and code."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def body(self, correlation_id: str) -> dict:
        return error_body(self.status, self.code, self.message, correlation_id)


class OAuthError(Exception):
    """A token-endpoint failure answered OAuth style (`error`, `description`, `error_description`)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict:
        return {"error": self.error, "description": self.description, "error_description": self.description}


def error_body(status: int, code: str, message: str, correlation_id: str) -> dict:
    return {"message": message, "code": code, "status": status, "contextId": correlation_id, "details": [], "errors": []}


def bad_request(message: str) -> ApiError:
    return ApiError(400, "bad.request", message)


def invalid_date(message: str) -> ApiError:
    return ApiError(400, "invalid.date", message)


def not_found() -> ApiError:
    return ApiError(404, "not.found", "The requested resource was not found.")


def authentication_required() -> ApiError:
    return ApiError(401, "authentication.required", "No authentication bearer token specified in authorization header.")


def bad_credentials() -> ApiError:
    return ApiError(401, "bad.credentials", "Invalid login credentials.")


def missing_permissions(permissions: list[str]) -> ApiError:
    return ApiError(
        403,
        "missing.permissions",
        "Unable to perform the requested action. You are missing the following permission(s): " + ", ".join(permissions),
    )


def missing_any_permissions(permissions: list[str]) -> ApiError:
    return ApiError(
        403,
        "missing.any.permissions",
        "Unable to perform the requested action. You must have at least one of the following permissions assigned: "
        + ", ".join(permissions),
    )


def too_many_requests(retry_after_seconds: int) -> ApiError:
    return ApiError(
        429,
        "too.many.requests.retry.after",
        f"Rate limit exceeded the maximum. Retry the request in [{retry_after_seconds}] seconds",
        headers={"Retry-After": str(retry_after_seconds)},
    )


def server_error(status: int) -> ApiError:
    code = {500: "internal.server.error", 503: "service.unavailable", 504: "request.timeout"}.get(status, "internal.server.error")
    return ApiError(status, code, f"The service answered {status} (simulated fault).")
