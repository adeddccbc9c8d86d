"""login.live.com serves each client id only the flows and redirect URIs it is registered
for (xbox.sandbox.clients), and refuses the rest the way login.live.com does."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote_plus, urlencode, urlsplit

import httpx
import pytest

from tests.sandbox.signing import LEGACY_SCOPE, XBOX_APP, XBOX_APP_REDIRECT, client, mapped
from xbox.sandbox import Sandbox
from xbox.sandbox.clients import CLIENTS, SISU, TITLE_AUTH, lookup

AZURE_APP = "388ea51c-0b25-4029-aae2-17df49d23905"
LEGACY_APP = "0000000048093EE3"
DESKTOP = "https://login.live.com/oauth20_desktop.srf"
LOOPBACK = "http://127.0.0.1:51234/auth/callback"
REDIRECT_TEXT = ("The provided value for the input parameter 'redirect_uri' is not valid. The "
                 "expected value is 'https://login.live.com/oauth20_desktop.srf' or a URL which "
                 "matches the redirect URI registered for this client application.")


@pytest.fixture
def http() -> httpx.Client:
    return client(Sandbox(seed=0))


def _authorize(http: httpx.Client, **query: str) -> httpx.Response:
    return http.get("/login.live.com/oauth20_authorize.srf?" + urlencode(query))


def _code(client_id: str, redirect: str, **extra: str) -> dict[str, str]:
    return {"client_id": client_id, "response_type": "code", "redirect_uri": redirect,
            "scope": LEGACY_SCOPE, "state": "st 1", **extra}


def _error_of(response: httpx.Response) -> dict[str, list[str]]:
    """The err.srf redirect's fragment, parsed."""
    assert response.status_code == 302 and response.content == b""
    location = response.headers["Location"]
    assert location.startswith("https://login.live.com/err.srf?lc=1033#")
    return parse_qs(urlsplit(location).fragment)


def test_a_loopback_redirect_with_the_xbox_app_id_is_refused(http: httpx.Client) -> None:
    answer = _authorize(http, **_code(XBOX_APP, LOOPBACK, login_hint="joe@example.org"))
    error = _error_of(answer)
    assert error == {"error": ["invalid_request"], "error_description": [REDIRECT_TEXT],
                     "state": ["st 1"]}
    # Byte for byte as the reports quote it: '+' for spaces, quotes and the URL left raw.
    assert ("error_description=The+provided+value+for+the+input+parameter+'redirect_uri'+is+"
            "not+valid.+The+expected+value+is+'https://login.live.com/oauth20_desktop.srf'+or"
            in answer.headers["Location"])
    page = http.get(mapped(answer.headers["Location"].split("#")[0]))
    assert page.status_code == 200 and "We're unable to complete your request" in page.text


@pytest.mark.parametrize("redirect", [XBOX_APP_REDIRECT, DESKTOP])
def test_the_xbox_app_ids_own_redirects_are_served(http: httpx.Client, redirect: str) -> None:
    answer = _authorize(http, **_code(XBOX_APP, redirect, login_hint="joe@example.org"))
    assert answer.status_code == 302 and answer.headers["Location"].startswith(redirect + "?code=")


@pytest.mark.parametrize("redirect", [LOOPBACK, "http://localhost/auth/callback",
                                      "http://[::1]:8000/cb", "https://example.org/callback"])
def test_an_azure_app_takes_loopback_and_https_redirects(http: httpx.Client,
                                                         redirect: str) -> None:
    answer = _authorize(http, **_code(AZURE_APP, redirect, login_hint="joe@example.org",
                                      scope="Xboxlive.signin Xboxlive.offline_access"))
    assert answer.status_code == 302 and answer.headers["Location"].startswith(redirect)


def test_an_azure_app_refuses_plain_http_elsewhere(http: httpx.Client) -> None:
    answer = _authorize(http, **_code(AZURE_APP, "http://example.org/callback"))
    assert _error_of(answer)["error"] == ["invalid_request"]


def test_a_flow_the_id_may_not_use_is_refused(http: httpx.Client) -> None:
    # The 2014 id signs in by password (implicit token) only: no authorization code.
    error = _error_of(_authorize(http, **_code(LEGACY_APP, DESKTOP)))
    assert error["error"] == ["unauthorized_client"]
    assert error["error_description"] == [
        "The client is not authorized to request an authorization code using this method."]
    # An Azure app has no password page.
    token = _authorize(http, client_id=AZURE_APP, response_type="token", redirect_uri=DESKTOP,
                       scope=LEGACY_SCOPE)
    assert _error_of(token)["error"] == ["unauthorized_client"]


def test_password_flow_for_its_ids(http: httpx.Client) -> None:
    for client_id in (LEGACY_APP, XBOX_APP):  # XboxReplay signs in with the Xbox app id
        page = _authorize(http, client_id=client_id, response_type="token",
                          redirect_uri=DESKTOP, scope=LEGACY_SCOPE, display="touch")
        assert page.status_code == 200 and '"urlPost":"https://login.live.com/' in page.text
    wrong = _authorize(http, client_id=LEGACY_APP, response_type="token",
                       redirect_uri=LOOPBACK, scope=LEGACY_SCOPE)
    assert _error_of(wrong)["error"] == ["invalid_request"]


def test_an_unknown_live_id_is_not_a_consumer_app(http: httpx.Client) -> None:
    page = _authorize(http, **_code("00000000DEADBEEF", DESKTOP))
    assert page.status_code == 200
    assert "The client does not exist or is not enabled for consumers." in page.text
    connect = http.post("/login.live.com/oauth20_connect.srf", data={
        "client_id": "00000000DEADBEEF", "scope": LEGACY_SCOPE, "response_type": "device_code"})
    assert connect.status_code == 400 and connect.json()["error"] == "invalid_client"


def test_device_code_only_for_ids_registered_for_it(http: httpx.Client) -> None:
    def connect(client_id: str) -> httpx.Response:
        return http.post("/login.live.com/oauth20_connect.srf", data={
            "client_id": client_id, "scope": LEGACY_SCOPE, "response_type": "device_code"})

    refused = connect(LEGACY_APP)
    assert refused.status_code == 400 and refused.json()["error"] == "unauthorized_client"
    # The Game Pass app, the Minecraft ids and a user's own (public-client) Azure app.
    for client_id in (XBOX_APP, "000000004C20A908", "00000000441cc96b", "0000000048183522",
                      "00000000402b5328", "0b0c4f8e-9d1e-4a5b-8c7d-6e5f4a3b2c1d"):
        assert connect(client_id).status_code == 200, client_id


def test_the_openxbox_azure_app_gets_no_device_code(http: httpx.Client) -> None:
    # xbox-webapi-python's own Azure app is a web app: no device code, as Microsoft refuses
    # an app that is not a public client.
    refused = http.post("/login.live.com/oauth20_connect.srf", data={
        "client_id": AZURE_APP, "scope": "Xboxlive.signin Xboxlive.offline_access",
        "response_type": "device_code"})
    assert refused.status_code == 400
    body = refused.json()
    assert body["error"] == "unauthorized_client"
    assert body["error_description"] == (
        "AADSTS70002: The provided client is not supported for this feature. The client "
        "application must be marked as 'mobile.'")
    # Its browser sign-in (the code flow its scripts use) is served.
    answer = _authorize(http, **_code(AZURE_APP, "http://localhost:8080/auth/callback",
                                      login_hint="joe@example.org",
                                      scope="Xboxlive.signin Xboxlive.offline_access"))
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("http://localhost:8080/auth/callback?code=")


def test_a_crafted_post_cannot_skip_the_page_checks(http: httpx.Client) -> None:
    """The credential post re-checks the registration the authorize page checked."""
    page = _authorize(http, **_code(AZURE_APP, LOOPBACK))
    assert page.status_code == 200
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    query = urlencode({**_code(XBOX_APP, LOOPBACK)})
    posted = http.post(f"/login.live.com/ppsecure/post.srf?{query}",
                       data={**fields, "client_id": XBOX_APP, "login": "joe@example.org",
                             "passwd": "hunter2"})
    assert _error_of(posted)["error"] == ["invalid_request"]


def test_an_unknown_code_challenge_method_is_refused(http: httpx.Client) -> None:
    answer = _authorize(http, **_code(XBOX_APP, XBOX_APP_REDIRECT, code_challenge="abc",
                                      code_challenge_method="S512"))
    error = _error_of(answer)
    assert error["error"] == ["invalid_request"]
    assert "'code_challenge_method'" in unquote_plus(error["error_description"][0])


def test_the_registry_is_consistent() -> None:
    for app in CLIENTS.values():
        assert lookup(app.client_id.upper()) is app and lookup(app.client_id.lower()) is app
        if app.allows(SISU):  # SISU needs the app's own scheme (or the desktop page)
            assert f"ms-xal-{app.client_id.lower()}://auth" in app.redirect_uris \
                or f"ms-xal-public-beta-{app.client_id.lower()}://auth" in app.redirect_uris \
                or app.redirect_uris == (DESKTOP,)
        if app.allows(SISU) or app.allows(TITLE_AUTH):
            assert app.title_id.isdigit()
    azure = lookup(AZURE_APP.upper())
    assert azure is not None and azure.azure and not azure.allows(SISU)
    assert lookup("not-an-id") is None
