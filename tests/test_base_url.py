"""Where a client sends requests: the real hosts, or a base URL (``BASE/HOST/PATH``) that is
safe to send passwords and tokens to, read from ``$XBOX_LIVE_BASE_URL`` when first needed."""

from __future__ import annotations

import pytest

import xbox
from xbox.exceptions import InvalidArgument
from xbox.sandbox import JOE_EMAIL, JOE_PASSWORD, ServedSandbox


@pytest.mark.parametrize("url", ["http://example.org", "http://192.168.1.20:8000",
                                 "ftp://127.0.0.1", "127.0.0.1:8000"])
def test_a_base_url_that_would_leak_secrets_is_refused_up_front(url: str) -> None:
    with pytest.raises(InvalidArgument, match="base URL"):
        xbox.Client(base_url=url)


def test_plain_http_elsewhere_only_when_asked_and_with_a_warning() -> None:
    with pytest.warns(UserWarning, match="unencrypted"):
        client = xbox.Client(base_url="http://192.168.1.20:8000/", allow_insecure=True)
    assert client.base_url == "http://192.168.1.20:8000"


@pytest.mark.parametrize("url", ["http://127.0.0.1:9", "http://localhost:9",
                                 "http://[::1]:9", "https://proxy.example.org"])
def test_loopback_and_https_are_accepted(url: str) -> None:
    assert xbox.Client(base_url=url).base_url == url


def test_the_variable_is_read_at_first_use(served: ServedSandbox,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    # The seed's global client is made at `import xbox`; a program that sets the variable
    # afterwards (a test, a notebook) still talks to the sandbox, never to Microsoft.
    client = xbox.Client(token_store=None)
    monkeypatch.setenv("XBOX_LIVE_BASE_URL", served.base_url)
    client.authenticate(JOE_EMAIL, JOE_PASSWORD)
    assert client.gamertag == "JoeAlcorn" and client.base_url == served.base_url
    assert served.sandbox.requests  # it went to the sandbox
    monkeypatch.setenv("XBOX_LIVE_BASE_URL", "http://example.org")
    assert client.base_url == served.base_url  # read once


def test_a_bad_variable_is_reported_at_first_use_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    client = xbox.Client(token_store=None)
    monkeypatch.setenv("XBOX_LIVE_BASE_URL", "http://example.org")
    with pytest.raises(InvalidArgument, match=r"^\$XBOX_LIVE_BASE_URL: refusing plain-http base URL 'http://example.org'"):
        client.authenticate(JOE_EMAIL, JOE_PASSWORD)
