"""Reading sign-in answers, for every flow: an outage (429, 5xx) is never a refusal, and
an answer that is not the one a step expects says so.

A refusal is only what a service says is one. Reading an outage as "wrong password" or
"sign in again" would send people to fix an account that is fine, so every flow
(:mod:`~xbox.auth.msa`, :mod:`~xbox.auth.xboxlive`, :mod:`~xbox.auth.browser`) reads its
answers through these.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..exceptions import AuthenticationException, RateLimited, ServiceUnavailable, XboxException

if TYPE_CHECKING:
    import httpx

__all__ = ["Clock", "json_body", "json_of", "outage", "raise_unless_ok",
           "signature_refused", "unreadable"]

#: The time source a flow reads (seconds since the epoch): the client's clock.
Clock = Callable[[], float]


def json_of(response: httpx.Response) -> Any:
    """The body's JSON, or None when it is not JSON (an error page)."""
    try:
        return json.loads(response.content or b"null")
    except ValueError:
        return None


def outage(status: int, host: str, body: Any = None,
           retry_after: float | None = None) -> XboxException | None:
    """The error for an answer that says the service is down or busy (5xx, 429), or None.

    A refusal is only what a service says is one: these say nothing about the account, and
    must never read as "wrong password" or "sign in again".
    """
    if status == 429:
        return RateLimited(f"Xbox Live sign-in is busy ({host} rate limited the request); "
                           "try again later", retry_after=retry_after, status_code=status,
                           service=host, body=body)
    if status >= 500:
        return ServiceUnavailable(f"Xbox Live sign-in is unavailable ({host} answered HTTP "
                                  f"{status}); try again later", status_code=status,
                                  service=host, body=body)
    return None


def unreadable(host: str, status: int, what: str) -> ServiceUnavailable:
    """An answer that is not the sign-in answer it should be (an HTML page, a proxy's error)."""
    return ServiceUnavailable(f"Xbox Live sign-in is unavailable ({host} sent something that "
                              f"is not {what}); try again later", status_code=status, service=host)


def signature_refused(host: str, what: str) -> AuthenticationException:
    """A signed sign-in request refused (403): the signature's time or key did not pass."""
    return AuthenticationException(
        f"{host} refused {what} (HTTP 403). Xbox Live refuses a signed request whose time is "
        "more than a few minutes from its own (check this machine's clock and time zone), "
        "and a sign-in flow the app id is not registered for (see `xbox login --flow`)",
        status_code=403, service=host)


def raise_unless_ok(response: httpx.Response, host: str, what: str) -> None:
    """Raise for an answer that is not a success: an outage as an outage, a refusal as one."""
    if response.status_code == 200:
        return
    down = outage(response.status_code, host, json_of(response))
    if down is not None:
        raise down
    if response.status_code == 403:
        raise signature_refused(host, what)
    raise AuthenticationException(f"{host} refused {what} (HTTP {response.status_code})",
                                  status_code=response.status_code, service=host,
                                  body=json_of(response),
                                  correlation_id=response.headers.get("x-xblcorrelationid"))


def json_body(response: httpx.Response, host: str, what: str) -> Any:
    """The JSON of a success, or :class:`ServiceUnavailable` when it is not JSON."""
    body = json_of(response)
    if not isinstance(body, dict):
        raise unreadable(host, response.status_code, what)
    return body
