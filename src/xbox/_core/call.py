"""What a request is, before it is sent: :class:`Call`, the one other step a sign-in flow
can ask for, :class:`Wait`, and what a sign-in flow is: a :data:`Flow` of them.

API calls, sign-in steps and media downloads are all described as a ``Call`` and sent by
the client's one send path (governor, budget, send, retry decision, 401 refresh), so every
request reaches the socket the same way. A ``Call`` is plain data: building one touches
nothing.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode, urlsplit

from .retry import IDEMPOTENT_METHODS

if TYPE_CHECKING:
    import httpx

    from ..auth.tokens import MsaToken

__all__ = ["NO_BODY", "Call", "Flow", "PlannedRequest", "RenewMsa", "Wait", "api_call",
           "is_write"]

T = TypeVar("T")

#: ``Call.json`` when the request has no JSON body (None is a valid JSON body: ``null``).
NO_BODY: Any = type("NoBody", (), {"__repr__": lambda self: "NO_BODY"})()


@dataclass(frozen=True)
class Call:
    """One HTTP request to Xbox Live (or login.live.com, or a media host).

    Attributes:
        method: ``GET``, ``POST``...
        url: the real URL (``https://HOST/PATH?QUERY``); the base-URL mapping is applied
            only when sending.
        params: query parameters to add to ``url``.
        headers: request headers (the client adds User-Agent, Accept-Encoding and
            Accept-Language).
        json: a JSON body (``NO_BODY``: none); ``data`` a form; ``content`` raw bytes.
        authorize: attach ``Authorization: XBL3.0 x=uhs;token`` (refreshing the tokens as
            needed, and once more after a 401).
        idempotent: safe to send again after a failure (retries happen only then).
        governed: book the request with the rate-limit governor first.
        stream: hand back the response before its body is read (media downloads).
        read_timeout: the longest wait for the next bytes (None: the client's timeout).
        budget: the longest the whole call may take before a response, retries and waits
            included (None: ``RetryPolicy.max_total``).
        signer: sign the request with this device key (a
            :class:`~xbox.auth.signing.RequestSigner`: ProofOfPossession), each attempt anew.
    """

    method: str
    url: str
    params: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    json: Any = NO_BODY
    data: Mapping[str, str] | None = None
    content: bytes | None = None
    authorize: bool = False
    idempotent: bool = True
    governed: bool = False
    stream: bool = False
    read_timeout: float | None = None
    budget: float | None = None
    signer: Any = None

    @cached_property
    def host(self) -> str:
        """The real host the call is for (``profile.xboxlive.com``); worked out once (it is
        read at every step of the send path)."""
        return (urlsplit(self.url).hostname or "").lower()

    def __repr__(self) -> str:
        # Never the headers or the body: they can carry tokens and passwords.
        return f"Call({self.method} {self.url.split('?', 1)[0]})"


@dataclass(frozen=True)
class Wait:
    """A sign-in flow asking to wait (device-code polling) before its next request."""

    seconds: float


@dataclass(frozen=True)
class RenewMsa:
    """A sign-in flow asking for a new Microsoft account (MSA) token: the one it has
    (``stale``) expired, or Xbox Live refused it (``refused``).

    The client answers with the new :class:`~xbox.auth.tokens.MsaToken`, or None when it
    has no way to get one. Where the token comes from is the client's choice, not the
    flow's: the host application's ``msa_token_provider`` when it gave one (the client then
    never refreshes the token itself), else the refresh-token grant
    (:func:`xbox.auth.msa.refresh`), run as a flow of its own. Read the answer with
    :func:`xbox.auth.msa.renewed`.
    """

    stale: MsaToken
    client_secret: str | None = None
    refused: bool = False

    def __repr__(self) -> str:
        return f"RenewMsa(refused={self.refused})"


#: A sign-in flow (:mod:`xbox.auth.flows`): yields steps, is sent each :class:`Call`'s
#: response (resumed with ``next()`` after a :class:`Wait`; sent the new token, or None,
#: after a :class:`RenewMsa`), and returns its result. The client drives it.
Flow = Generator[Call | Wait | RenewMsa, "httpx.Response", T]


def api_call(method: str, host: str, path: str, *, contract_version: int | None = None,
             params: Mapping[str, Any] | None = None, json: Any = NO_BODY,
             headers: Mapping[str, str] | None = None, authorize: bool = True,
             idempotent: bool | None = None) -> Call:
    """The :class:`Call` of an Xbox Live API request: JSON, signed in, rate limited.

    Args:
        host: the service host (``profile.xboxlive.com``).
        path: the path, with any query already in it (``/users/me/profile/settings?...``).
        contract_version: the ``x-xbl-contract-version`` to send.
        idempotent: None: by method (GET, PUT, DELETE are; a POST is not unless said so).
    """
    base = {"Accept": "application/json"}
    if contract_version is not None:
        base["x-xbl-contract-version"] = str(contract_version)
    base.update(headers or {})
    method = method.upper()
    return Call(method, f"https://{host}{path}", params=params, headers=base, json=json,
                authorize=authorize, governed=True,
                idempotent=method in IDEMPOTENT_METHODS if idempotent is None else idempotent)


def is_write(call: Call) -> bool:
    """Whether ``call`` changes something on Xbox Live: a PUT, PATCH or DELETE, or a POST not
    marked idempotent (the look-ups sent as POSTs, batches, are)."""
    return call.method in ("PUT", "PATCH", "DELETE") or (call.method == "POST" and not call.idempotent)


@dataclass(frozen=True)
class PlannedRequest:
    """A request as a dry run shows it (:meth:`xbox.Client.dry_run`): never its headers,
    which carry the token.

    Attributes:
        method: ``PUT``, ``POST``...
        url: the real URL, with its query (never mapped to a base URL).
        body: the JSON body (None when it has none).
    """

    method: str
    url: str
    body: Any = None

    @classmethod
    def of(cls, call: Call) -> PlannedRequest:
        """How ``call`` would be sent."""
        url = call.url + (f"?{urlencode(dict(call.params))}" if call.params else "")
        return cls(call.method, url, None if call.json is NO_BODY else call.json)
