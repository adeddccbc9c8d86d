"""The sandbox's tiny HTTP toolkit: routes, the parsed request, and response builders.

Services declare routes with :func:`route`; the :class:`~xbox.sandbox.Sandbox` dispatches
``httpx.Request`` objects in the mapped layout (``/HOST/PATH?QUERY``) to them.
"""

from __future__ import annotations

import gzip as _gzip
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote

import httpx

if TYPE_CHECKING:
    from .world import Account

__all__ = [
    "Call",
    "Route",
    "empty",
    "html_response",
    "json_response",
    "route",
]

Handler = Callable[..., httpx.Response]


@dataclass
class Route:
    """One endpoint: method, host pattern, path pattern, and what guards it.

    Attributes:
        auth: require a valid ``Authorization: XBL3.0 x=uhs;token`` (401 otherwise).
        service: rate-limited service name (see ``xbox._core.limits``), or None.
    """

    method: str
    host: re.Pattern[str]
    path: re.Pattern[str]
    handler: Handler
    auth: bool = True
    service: str | None = None


@dataclass
class Call:
    """A request as a service handler sees it.

    Attributes:
        host: the real host the request is for (``profile.xboxlive.com``).
        path: the raw path, percent-encoding kept (``/users/gt(Major%20Nelson)/...``).
        query: the raw query string.
        params: the query parsed into a dict (last value wins).
        user: the signed-in account the XBL3.0 token belongs to, for ``auth`` routes.
    """

    request: httpx.Request
    host: str
    path: str
    query: str
    params: dict[str, str]
    user: Account | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def method(self) -> str:
        return self.request.method

    def header(self, name: str, default: str | None = None) -> str | None:
        value: str | None = self.request.headers.get(name, default)
        return value

    def json(self) -> Any:
        """The JSON body, or None when it is missing or not JSON."""
        try:
            return json.loads(self.request.content or b"null")
        except ValueError:
            return None

    def form(self) -> dict[str, str]:
        """The ``application/x-www-form-urlencoded`` body as a dict."""
        return dict(parse_qsl(self.request.content.decode("utf-8", "replace"), keep_blank_values=True))


# Routes are collected at import time by the service modules.
ROUTES: list[Route] = []


def route(method: str, host: str, path: str, *, auth: bool = True,
          service: str | None = None) -> Callable[[Handler], Handler]:
    """Register a handler for ``method`` on hosts matching ``host`` and paths matching ``path``.

    ``host`` and ``path`` are regular expressions matched in full; named groups in ``path``
    are passed to the handler as keyword arguments (still percent-encoded; use ``unquote``).
    The handler is called as ``handler(sandbox, call, **groups)``.
    """

    def register(handler: Handler) -> Handler:
        ROUTES.append(Route(method.upper(), re.compile(host, re.I), re.compile(path), handler,
                            auth=auth, service=service))
        return handler

    return register


def parse_target(request: httpx.Request) -> tuple[str, str, str]:
    """Split a mapped request URL ``/HOST/PATH?QUERY`` into host, raw path and raw query."""
    raw = request.url.raw_path.decode("ascii", "replace")
    target, _, query = raw.partition("?")
    parts = target.lstrip("/").split("/", 1)
    host = unquote(parts[0]).lower()
    path = "/" + (parts[1] if len(parts) > 1 else "")
    return host, path, query


def parse_query(query: str) -> dict[str, str]:
    return dict(parse_qsl(query, keep_blank_values=True))


# -- responses ------------------------------------------------------------------------------

def json_response(status: int, body: Any, *, headers: dict[str, str] | None = None,
                  gzip: bool = False, compact: bool = True) -> httpx.Response:
    """A JSON response as Xbox Live sends it: ``application/json`` with no charset."""
    data = json.dumps(body, separators=(",", ":") if compact else None, ensure_ascii=False).encode()
    hdrs = {"Content-Type": "application/json"}
    if gzip:
        data = _gzip.compress(data)
        hdrs["Content-Encoding"] = "gzip"
        hdrs["Vary"] = "Accept-Encoding"
    hdrs["Content-Length"] = str(len(data))
    hdrs.update(headers or {})
    return httpx.Response(status, headers=hdrs, content=data)


def empty(status: int, *, headers: dict[str, str] | None = None) -> httpx.Response:
    """A response with no body (``content-length: 0``)."""
    hdrs = {"Content-Length": "0"}
    hdrs.update(headers or {})
    return httpx.Response(status, headers=hdrs, content=b"")


def html_response(status: int, html: str, *, headers: dict[str, str] | None = None,
                  gzip: bool = True, cookies: Sequence[str] = ()) -> httpx.Response:
    """An HTML page as login.live.com sends it (always gzip); each of ``cookies`` in a
    ``Set-Cookie`` header of its own."""
    data = html.encode("utf-8")
    hdrs = {"Content-Type": "text/html; charset=utf-8"}
    if gzip:
        data = _gzip.compress(data)
        hdrs["Content-Encoding"] = "gzip"
    hdrs["Content-Length"] = str(len(data))
    hdrs.update(headers or {})
    return httpx.Response(status, headers=[*hdrs.items(), *(("Set-Cookie", c) for c in cookies)],
                          content=data)
