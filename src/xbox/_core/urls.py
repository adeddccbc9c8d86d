"""Where requests go: the real hosts, or the `XBOX_LIVE_BASE_URL` mapping.

A request for ``https://HOST/PATH?QUERY`` is sent to ``BASE/HOST/PATH?QUERY`` when a base
URL is set (the sandbox layout), with method, headers and body unchanged. URLs handed to
users always stay the real ones; only the URL actually fetched is mapped.
"""

from __future__ import annotations

import ipaddress
import os
import warnings
from urllib.parse import urlsplit

from ..exceptions import InvalidArgument

__all__ = ["BASE_URL_ENV", "SIGN_IN_HOSTS", "check_base_url", "is_loopback", "is_sign_in_host",
           "is_trusted_host", "map_url", "resolve_base_url", "unmap_url"]

BASE_URL_ENV = "XBOX_LIVE_BASE_URL"

# The one table of who may receive secrets. Passwords go only to the sign-in hosts (over
# https); tokens only to Microsoft and Xbox Live hosts. Everything else gets neither.
SIGN_IN_HOSTS = frozenset({"login.live.com", "login.microsoftonline.com"})
_TRUSTED_SUFFIXES = (".xboxlive.com", ".live.com", ".microsoft.com")
_TRUSTED_HOSTS = SIGN_IN_HOSTS | {"xboxlive.com"}


def resolve_base_url(base_url: str | None) -> str | None:
    """The base URL in force: the explicit one, else ``$XBOX_LIVE_BASE_URL``, else None."""
    value = base_url if base_url is not None else os.environ.get(BASE_URL_ENV)
    if not value:
        return None
    return value.rstrip("/")


def is_loopback(host: str) -> bool:
    """Whether requests to ``host`` stay on this machine: ``localhost``, 127.0.0.0/8, ::1,
    or a ``.invalid`` name (RFC 2606: never resolves; the in-process sandbox's)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".invalid"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str | None, *, allow_insecure: bool = False) -> str | None:
    """``base_url`` if it is safe to send passwords and tokens to.

    Plain ``http://`` is accepted for loopback only (the sandbox on this machine, see
    :func:`is_loopback`); anything
    else must be ``https://``, or ``allow_insecure=True`` (which warns: everything sent,
    passwords and tokens included, crosses the network in clear text).

    Raises:
        InvalidArgument: not an http(s) URL, or plain http to another machine.
    """
    if base_url is None:
        return None
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidArgument(f"the base URL must be http(s)://HOST[:PORT], not {base_url!r}")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        if not allow_insecure:
            raise InvalidArgument(
                f"refusing plain-http base URL {base_url!r}: passwords and tokens would cross "
                "the network unencrypted. Use https://, a loopback address (127.0.0.1), or "
                "allow_insecure=True if you really mean it")
        warnings.warn(f"sending passwords and tokens unencrypted to {base_url} "
                      "(allow_insecure=True)", stacklevel=4)
    return base_url


def map_url(url: str, base_url: str | None) -> str:
    """Rewrite a real Xbox Live URL to the mapped layout ``BASE/HOST/PATH?QUERY``.

    The path and query are kept byte for byte (percent-encoding and all), because
    login.live.com is picky about its query strings.
    """
    if base_url is None:
        return url
    if url.startswith(base_url + "/"):
        return url  # already mapped
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        raise InvalidArgument(f"not an absolute URL: {url!r}"[:120])
    rest = url.split(parts.netloc, 1)[1]
    if not rest.startswith("/"):
        rest = "/" + rest
    return f"{base_url}/{parts.netloc}{rest}"


def unmap_url(url: str, base_url: str | None) -> str:
    """Undo :func:`map_url`: give back the real ``https://HOST/PATH?QUERY``."""
    if base_url is None or not url.startswith(base_url + "/"):
        return url
    rest = url[len(base_url) + 1 :]
    return "https://" + rest


def is_sign_in_host(host: str) -> bool:
    """Whether a password may be posted to ``host`` (Microsoft's sign-in hosts only)."""
    return host.lower().split(":", 1)[0] in SIGN_IN_HOSTS


def is_trusted_host(host: str) -> bool:
    """Whether tokens may be sent to ``host`` (Microsoft and Xbox Live hosts only)."""
    host = host.lower().split(":", 1)[0]
    return host in _TRUSTED_HOSTS or host.endswith(_TRUSTED_SUFFIXES)
