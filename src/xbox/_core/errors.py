"""HTTP status -> one typed exception, with everything the user needs to act on it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..exceptions import (
    AuthenticationException,
    InvalidRequest,
    NotFoundException,
    PermissionDenied,
    RateLimited,
    ServerError,
    XboxException,
)
from .retry import parse_retry_after

if TYPE_CHECKING:
    import httpx

__all__ = ["correlation_id", "error_for_response", "read_body"]


def read_body(response: httpx.Response) -> Any:
    """The response body as JSON when it is JSON, else as text (None when empty)."""
    content = response.content
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return response.text[:2000]


def correlation_id(response: httpx.Response) -> str | None:
    value: str | None = response.headers.get("x-xblcorrelationid") or response.headers.get("ms-cv")
    return value


def _description(body: Any) -> str | None:
    if isinstance(body, dict):
        for key in ("description", "message", "Message", "errorMessage", "error_description"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return str(value)
        if "errorCode" in body:
            return f"error code {body['errorCode']}"
    return None


def error_for_response(
    response: httpx.Response,
    *,
    host: str,
    not_found: type[NotFoundException] = NotFoundException,
    not_found_message: str | None = None,
) -> XboxException:
    """The exception for an error response of ``host``.

    400 -> InvalidRequest(description, response); 401 -> AuthenticationException;
    403 -> PermissionDenied; 404 -> ``not_found``;
    429 -> RateLimited(retry_after); 5xx -> ServerError; anything else -> XboxException.
    """
    status = response.status_code
    body = read_body(response)
    extra: dict[str, Any] = {"status_code": status, "service": host, "body": body,
                             "correlation_id": correlation_id(response)}
    described = _description(body)
    if status == 400:
        return InvalidRequest(described or "Invalid request", response, **extra)
    if status == 401:
        # Only reached after the pipeline's one silent token refresh was also refused.
        return AuthenticationException(
            f"{host} refused the sign-in even after a token refresh; sign in again"
            + (f" ({described})" if described else ""), response, **extra)
    if status == 403 and host == "mediahub.xboxlive.com":
        return PermissionDenied(
            "mediahub.xboxlive.com (the newer games' captures) answers only a sign-in made "
            "as the Xbox app makes it, with a signed device: run `xbox login` (device code) "
            "or `xbox login --browser`; a password sign-in cannot reach it", response, **extra)
    if status == 403:
        return PermissionDenied(
            f"{host} refused access: the owner's privacy settings or your account's rights "
            "do not allow it" + (f" ({described})" if described else ""), response, **extra)
    if status == 404:
        return not_found(not_found_message or f"{host} found nothing at that address", response,
                         **extra)
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimited(f"{host} rate limit reached", response, retry_after=retry_after,
                           **extra)
    if status >= 500:
        return ServerError(f"{host} had a server error" + (f": {described}" if described else ""),
                           response, **extra)
    return XboxException(f"{host} answered HTTP {status}" + (f": {described}" if described else ""),
                         response, **extra)
