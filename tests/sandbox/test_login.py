"""The sandbox's login.live.com: 2014 scrape, refresh, auth-code and device-code flows."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import pytest

from tests.fidelity import assert_same_shape, recorded
from xbox.sandbox import Sandbox
from xbox.sandbox._tokens import Lifetimes
from xbox.sandbox.services.login import revoke_refresh_tokens

LEGACY_CLIENT = "0000000048093EE3"  # the 2014 library's id: password sign-in only
XBOX_APP_CLIENT = "000000004C12AE6F"  # the Xbox app's id: device code (and SISU)
LEGACY_SCOPE = "service::user.auth.xboxlive.com::MBI_SSL"
AZURE_SCOPE = "Xboxlive.signin Xboxlive.offline_access"
AZURE_CLIENT = "388ea51c-0b25-4029-aae2-17df49d23905"
CALLBACK = "http://localhost/auth/callback"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"

# The 2014 client's query, sent un-percent-encoded, and its exact scraping regexes.
AUTHORIZE = ("/login.live.com/oauth20_authorize.srf?locale=en"
             "&redirect_uri=https://login.live.com/oauth20_desktop.srf&response_type=token"
             f"&client_id={LEGACY_CLIENT}&scope={LEGACY_SCOPE}&display=touch")
URL_RE = rb"urlPost:\'([A-Za-z0-9:\?_\-\.&/=]+)"
PPFT_RE = rb'sFTTag:\'.*value="(.*)"/>'


def _client(sb: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sb.base_url, transport=sb.transport())


def _mapped(url: str) -> str:
    """``https://host/path?q`` -> ``/host/path?q`` (the sandbox's mapped layout)."""
    return "/" + url.split("://", 1)[1]


def _scrape(resp: httpx.Response) -> tuple[str, str]:
    """What the 2014 client does: run its two regexes over the decoded page."""
    url = re.search(URL_RE, resp.content)
    ppft = re.search(PPFT_RE, resp.content)
    assert url is not None and ppft is not None
    return url.group(1).decode(), ppft.group(1).decode()


def _legacy_post(client: httpx.Client, login: str, password: str) -> httpx.Response:
    url, ppft = _scrape(client.get(AUTHORIZE))
    form = {"login": login, "passwd": password, "PPFT": ppft, "PPSX": "Passpor",
            "SI": "Sign in", "type": "11", "NewUser": "1", "LoginOptions": "1", "i3": "36728",
            "m1": "768", "m2": "1184", "m3": "0", "i12": "1", "i17": "0",
            "i18": "__Login_Host|1"}
    return client.post(_mapped(url), data=form)


def _server_error(resp: httpx.Response) -> str:
    m = re.search(r"sErrTxt:'((?:[^'\\]|\\.)*)'", resp.text)
    assert m is not None
    return m.group(1)


def _legacy_tokens(client: httpx.Client, login: str = "joe@example.org") -> dict[str, str]:
    resp = _legacy_post(client, login, "hunter2")
    assert resp.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlparse(resp.headers["Location"]).fragment).items()}


# -- 1a: the 2014 scrape (era 2014; the pages of 2018 and today: test_login_pages.py) -------

def test_authorize_page_matches_2014_scrape() -> None:
    sb = Sandbox(seed=0, era="2014")
    with _client(sb) as client:
        resp = client.get(AUTHORIZE)
    assert resp.status_code == 200
    assert resp.headers["content-encoding"] == "gzip"
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    assert resp.headers["cache-control"] == "no-cache"
    assert resp.headers["pragma"] == "no-cache"
    assert resp.headers["x-frame-options"] == "deny"
    assert "PPServer" in resp.headers
    assert "MSPRequ=" in resp.headers["set-cookie"] and "MSPOK=" in resp.headers["set-cookie"]
    assert "<title>Sign in to your Microsoft account</title>" in resp.text
    assert 4000 < len(resp.content) < 8000
    url, ppft = _scrape(resp)
    assert url.startswith("https://login.live.com/ppsecure/post.srf?locale=en"
                          "&redirect_uri=https://login.live.com/oauth20_desktop.srf"
                          "&response_type=token&client_id=0000000048093EE3"
                          "&scope=service::user.auth.xboxlive.com::MBI_SSL&display=touch&bk=")
    assert re.search(r"&bk=\d+&uaid=[0-9a-f]{32}$", url)
    assert re.fullmatch(r"[A-Za-z0-9!*$]{150,250}", ppft) and ppft.endswith("$$")
    line = next(ln for ln in resp.text.splitlines() if "sFTTag:" in ln)
    assert line.rstrip().endswith("C:39};</script><script type=\"text/javascript\" "
                                  "src=\"https://auth.gfx.ms/16.000.25219.00/Login_Core.js\">"
                                  "</script>")


def test_authorize_accepts_encoded_query_and_needs_client_id() -> None:
    sb = Sandbox(seed=0, era="2014")
    query = urlencode({"redirect_uri": "https://login.live.com/oauth20_desktop.srf",
                       "response_type": "token", "client_id": LEGACY_CLIENT,
                       "scope": LEGACY_SCOPE})
    with _client(sb) as client:
        url, _ = _scrape(client.get(f"/login.live.com/oauth20_authorize.srf?{query}"))
        assert "client_id=0000000048093EE3&scope=service::user.auth.xboxlive.com::MBI_SSL" in url
        missing = client.get("/login.live.com/oauth20_authorize.srf?response_type=token")
    assert missing.status_code == 200
    assert "sErrTxt:'We" in missing.text and "urlPost" not in missing.text


def test_legacy_flow_then_user_token_and_xsts() -> None:
    sb = Sandbox(seed=0, era="2014")
    with _client(sb) as client:
        resp = _legacy_post(client, "joe@example.org", "hunter2")
        assert resp.status_code == 302
        assert resp.headers["content-length"] == "0"
        assert resp.headers["content-type"] == "text/html; charset=utf-8"
        assert len(resp.headers.get_list("set-cookie")) >= 5
        location = resp.headers["Location"]
        assert location.startswith("https://login.live.com/oauth20_desktop.srf?lc=1033"
                                   "#access_token=EwCAAupv")
        fragment = urlparse(location).fragment
        # The recorded order (the 2014 login of xbox-webapi-python's token_refresh.json
        # cassette), not spec §1a's.
        assert [part.split("=", 1)[0] for part in fragment.split("&")] == [
            "access_token", "refresh_token", "token_type", "expires_in", "scope", "user_id"]
        assert "+" not in fragment and "%24&token_type=bearer&expires_in=86400&scope=" in fragment
        tokens = {k: v[0] for k, v in parse_qs(fragment).items()}
        assert tokens["token_type"] == "bearer" and tokens["expires_in"] == "86400"
        assert tokens["scope"] == LEGACY_SCOPE
        assert tokens["user_id"] == sb.world.joe.msa_user_id
        # parse_qs gave back exactly the tokens the sandbox issued.
        assert sb.tokens.check(tokens["access_token"], "msa", sb.now()) is not None
        assert sb.tokens.check(tokens["refresh_token"], "refresh", sb.now()) is not None

        user = client.post("/user.auth.xboxlive.com/user/authenticate", json={
            "RelyingParty": "http://auth.xboxlive.com", "TokenType": "JWT",
            "Properties": {"AuthMethod": "RPS", "SiteName": "user.auth.xboxlive.com",
                           "RpsTicket": tokens["access_token"]}})
        assert user.status_code == 200
        xsts = client.post("/xsts.auth.xboxlive.com/xsts/authorize", json={
            "RelyingParty": "http://xboxlive.com", "TokenType": "JWT",
            "Properties": {"UserTokens": [user.json()["Token"]], "SandboxId": "RETAIL"}})
    assert xsts.status_code == 200
    assert xsts.json()["DisplayClaims"]["xui"][0]["gtg"] == "JoeAlcorn"


def test_legacy_flow_noprofile_gets_xerr() -> None:
    sb = Sandbox(seed=0, era="2014")
    with _client(sb) as client:
        tokens = _legacy_tokens(client, "noprofile@example.org")
        user = client.post("/user.auth.xboxlive.com/user/authenticate", json={
            "RelyingParty": "http://auth.xboxlive.com", "TokenType": "JWT",
            "Properties": {"AuthMethod": "RPS", "SiteName": "user.auth.xboxlive.com",
                           "RpsTicket": tokens["access_token"]}})
        xsts = client.post("/xsts.auth.xboxlive.com/xsts/authorize", json={
            "RelyingParty": "http://xboxlive.com", "TokenType": "JWT",
            "Properties": {"UserTokens": [user.json()["Token"]], "SandboxId": "RETAIL"}})
    assert xsts.status_code == 401
    assert xsts.json() == {"Identity": "0", "XErr": 2148916233, "Message": "",
                           "Redirect": "https://start.ui.xboxlive.com/CreateAccount"}


def test_wrong_password_rerenders_page() -> None:
    sb = Sandbox(seed=0, era="2014")
    with _client(sb) as client:
        _, first_ppft = _scrape(client.get(AUTHORIZE))
        resp = _legacy_post(client, "joe@example.org", "wrong")
    assert resp.status_code == 200 and "Location" not in resp.headers
    assert resp.headers["content-encoding"] == "gzip"
    assert ("sErrTxt:'That password is incorrect. Be sure you\\'re using the password for your "
            "Microsoft account.<!-- HR=80041012 -->'") in resp.text
    assert "F:true" in resp.text and "b:'joe@example.org'" in resp.text
    url, ppft = _scrape(resp)  # still scrapeable, fresh PPFT, no uaid
    assert ppft != first_ppft and "uaid=" not in url


def test_unknown_account() -> None:
    sb = Sandbox(seed=0, era="2014")
    with _client(sb) as client:
        resp = _legacy_post(client, "nobody@example.org", "hunter2")
    assert resp.status_code == 200 and "Location" not in resp.headers
    err = _server_error(resp)
    assert err.startswith("That Microsoft account doesn\\'t exist. Enter a different email "
                          "address or <a href=")
    assert err.endswith(">get a new account</a>.<!-- HR=CFFFFC15 -->")
    _scrape(resp)


def test_missing_or_reused_ppft() -> None:
    sb = Sandbox(seed=0, era="2014")
    with _client(sb) as client:
        url, ppft = _scrape(client.get(AUTHORIZE))
        form = {"login": "joe@example.org", "passwd": "hunter2", "PPFT": "made-up$$"}
        bad = client.post(_mapped(url), data=form)
        assert bad.status_code == 200 and "Location" not in bad.headers
        assert "timed out" in _server_error(bad)
        good = client.post(_mapped(url), data={**form, "PPFT": ppft})
        assert good.status_code == 302
        again = client.post(_mapped(url), data={**form, "PPFT": ppft})
    assert again.status_code == 200 and "Location" not in again.headers


def test_two_factor_account_gets_proof_page() -> None:
    sb = Sandbox(seed=0, era="2014")
    with _client(sb) as client:
        resp = _legacy_post(client, "twofactor@example.org", "hunter2")
    assert resp.status_code == 200 and "Location" not in resp.headers
    assert "PROOF.Type = {SQSA: 6, CSS: 5, DeviceId: 4, Email: 1, AltEmail: 2, SMS: 3, HIP: 8}" \
        in resp.text


def test_blocked_account() -> None:
    sb = Sandbox(seed=0, era="2014")
    with _client(sb) as client:
        resp = _legacy_post(client, "blocked@example.org", "whatever")
    assert resp.status_code == 200 and "Location" not in resp.headers
    err = _server_error(resp)
    assert "blocked" in err and "https://account.live.com/activity" in err
    _scrape(resp)


# -- refresh ---------------------------------------------------------------------------------

def test_refresh_by_get_and_post() -> None:
    sb = Sandbox(seed=0, era="2014")
    with _client(sb) as client:
        tokens = _legacy_tokens(client)
        resp = client.get("/login.live.com/oauth20_token.srf?grant_type=refresh_token"
                          f"&client_id={LEGACY_CLIENT}&scope={LEGACY_SCOPE}"
                          f"&refresh_token={tokens['refresh_token']}")
        assert resp.status_code == 200
        assert resp.headers["content-type"] == "application/json"
        assert resp.headers["cache-control"] == "no-store"
        body = resp.json()
        assert list(body) == ["token_type", "expires_in", "scope", "access_token",
                              "refresh_token", "user_id"]
        assert body["expires_in"] == 86400 and body["scope"] == LEGACY_SCOPE
        assert body["refresh_token"] != tokens["refresh_token"]
        assert body["user_id"] == sb.world.joe.msa_user_id
        post = client.post("/login.live.com/oauth20_token.srf", data={
            "grant_type": "refresh_token", "client_id": LEGACY_CLIENT,
            "scope": "XboxLive.signin offline_access", "refresh_token": body["refresh_token"]})
        assert post.status_code == 200 and post.json()["expires_in"] == 3600
        no_scope = client.post("/login.live.com/oauth20_token.srf", data={
            "grant_type": "refresh_token", "client_id": LEGACY_CLIENT,
            "refresh_token": body["refresh_token"]})
        assert no_scope.status_code == 400 and no_scope.json()["error"] == "invalid_request"
        no_client = client.post("/login.live.com/oauth20_token.srf", data={
            "grant_type": "refresh_token", "scope": LEGACY_SCOPE,
            "refresh_token": body["refresh_token"]})
        assert no_client.status_code == 400 and no_client.json()["error"] == "invalid_request"
        odd = client.post("/login.live.com/oauth20_token.srf", data={
            "grant_type": "password", "client_id": LEGACY_CLIENT})
        assert odd.status_code == 400 and odd.json()["error"] == "unsupported_grant_type"


def test_refresh_with_revoked_or_unknown_token() -> None:
    sb = Sandbox(seed=0, era="2014")
    with _client(sb) as client:
        tokens = _legacy_tokens(client)
        assert revoke_refresh_tokens(sb, sb.world.joe.xuid) >= 1
        for refresh_token in (tokens["refresh_token"], "M.R3_BAY.bogus$"):
            resp = client.post("/login.live.com/oauth20_token.srf", data={
                "grant_type": "refresh_token", "client_id": LEGACY_CLIENT,
                "scope": LEGACY_SCOPE, "refresh_token": refresh_token})
            assert resp.status_code == 400
            body = resp.json()
            assert body["error"] == "invalid_grant"
            assert body["error_description"] == ("The provided value for the input parameter "
                                                 "'refresh_token' is not valid.")
            assert re.fullmatch(r"[0-9a-f-]{36}", body["correlation_id"])


def test_refresh_token_expires_with_fake_clock() -> None:
    t = [1_700_000_000.0]
    sb = Sandbox(seed=0, era="2014", clock=lambda: t[0], lifetimes=Lifetimes(refresh=60))
    with _client(sb) as client:
        tokens = _legacy_tokens(client)
        t[0] += 61
        resp = client.get("/login.live.com/oauth20_token.srf?grant_type=refresh_token"
                          f"&client_id={LEGACY_CLIENT}&scope={LEGACY_SCOPE}"
                          f"&refresh_token={tokens['refresh_token']}")
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_grant"


# -- 1b: authorization code ------------------------------------------------------------------

def _authorize_code_url(**extra: str) -> str:
    query = {"client_id": AZURE_CLIENT, "response_type": "code", "approval_prompt": "auto",
             "scope": AZURE_SCOPE, "redirect_uri": CALLBACK, "state": "xyz 123", **extra}
    return "/login.live.com/oauth20_authorize.srf?" + urlencode(query)


def _exchange(client: httpx.Client, code: str, redirect_uri: str = CALLBACK) -> httpx.Response:
    return client.post("/login.live.com/oauth20_token.srf", data={
        "grant_type": "authorization_code", "code": code, "scope": AZURE_SCOPE,
        "redirect_uri": redirect_uri, "client_id": AZURE_CLIENT, "client_secret": "s3cret"})


def test_auth_code_flow_through_the_form() -> None:
    sb = Sandbox(seed=0, auto_approve_device_codes=False)
    with _client(sb) as client:
        page = client.get(_authorize_code_url())
        assert page.status_code == 200 and "<form" in page.text
        action = re.search(r'action="([^"]+)"', page.text)
        assert action is not None
        target = httpx.URL("https://login.live.com/oauth20_authorize.srf").join(
            action.group(1).replace("&amp;", "&"))
        assert target.host == "login.live.com" and target.path == "/ppsecure/post.srf"
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                                 page.text))
        assert {"client_id", "redirect_uri", "state", "scope", "PPFT"} <= set(fields)
        post_url = _mapped(str(target))
        wrong = client.post(post_url, data={**fields, "login": "joe@example.org",
                                            "passwd": "nope"})
        assert wrong.status_code == 200 and "password is incorrect" in wrong.text
        # The PPFT was used up; the re-rendered form carries a fresh one.
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                                 wrong.text))
        resp = client.post(post_url, data={**fields, "login": "joe@example.org",
                                           "passwd": "hunter2"})
        assert resp.status_code == 302
        location = urlparse(resp.headers["Location"])
        assert location._replace(query="").geturl() == CALLBACK
        query = parse_qs(location.query)
        assert query["state"] == ["xyz 123"]
        code = query["code"][0]
        assert code.startswith("M.C5") and "_BAY.2." in code

        mismatch = _exchange(client, code, "http://localhost/elsewhere")
        assert mismatch.status_code == 400 and mismatch.json()["error"] == "invalid_grant"
        tokens = _exchange(client, code)  # a redirect mismatch does not burn the code
        assert tokens.status_code == 200
        body = tokens.json()
        assert body["expires_in"] == 3600 and body["scope"] == AZURE_SCOPE
        assert body["user_id"] == sb.world.joe.msa_user_id
        reused = _exchange(client, code)
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"
    assert "'code' is not valid" in reused.json()["error_description"]


def test_auth_code_login_hint_shortcut_and_expiry() -> None:
    t = [1_700_000_000.0]
    sb = Sandbox(seed=0, clock=lambda: t[0])
    with _client(sb) as client:
        resp = client.get(_authorize_code_url(login_hint="joe@example.org"))
        assert resp.status_code == 302
        code = parse_qs(urlparse(resp.headers["Location"]).query)["code"][0]
        t[0] += 301
        expired = _exchange(client, code)
    assert expired.status_code == 400 and expired.json()["error"] == "invalid_grant"


def test_token_response_has_recorded_shape() -> None:
    sb = Sandbox(seed=0)
    with _client(sb) as client:
        resp = client.get(_authorize_code_url(login_hint="joe@example.org"))
        code = parse_qs(urlparse(resp.headers["Location"]).query)["code"][0]
        tokens = _exchange(client, code)
    assert tokens.status_code == 200
    assert_same_shape(tokens.json(), recorded("auth_oauth2_token.json"))


# -- 1c: device code -------------------------------------------------------------------------

def _connect(client: httpx.Client) -> dict[str, object]:
    resp = client.post("/login.live.com/oauth20_connect.srf", data={
        "client_id": XBOX_APP_CLIENT, "scope": LEGACY_SCOPE, "response_type": "device_code"})
    assert resp.status_code == 200
    body: dict[str, object] = resp.json()
    return body


def _poll(client: httpx.Client, device_code: object) -> httpx.Response:
    return client.post("/login.live.com/oauth20_token.srf", data={
        "client_id": XBOX_APP_CLIENT, "grant_type": DEVICE_GRANT, "device_code": str(device_code)})


def test_device_code_start() -> None:
    sb = Sandbox(seed=0)
    with _client(sb) as client:
        body = _connect(client)
        bad = client.post("/login.live.com/oauth20_connect.srf", data={
            "client_id": XBOX_APP_CLIENT, "scope": LEGACY_SCOPE, "response_type": "token"})
        no_scope = client.post("/login.live.com/oauth20_connect.srf", data={
            "client_id": XBOX_APP_CLIENT, "response_type": "device_code"})
    assert set(body) == {"user_code", "device_code", "verification_uri", "interval", "expires_in"}
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", str(body["user_code"]))
    assert body["verification_uri"] == "https://www.microsoft.com/link"
    assert body["interval"] == 5 and body["expires_in"] == 900
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_request"
    assert no_scope.status_code == 400 and no_scope.json()["error"] == "invalid_request"


def test_device_code_auto_approved_after_one_pending_poll() -> None:
    t = [1_700_000_000.0]
    sb = Sandbox(seed=0, clock=lambda: t[0])
    with _client(sb) as client:
        body = _connect(client)
        first = _poll(client, body["device_code"])
        assert first.status_code == 400 and first.json()["error"] == "authorization_pending"
        t[0] += 1
        assert _poll(client, body["device_code"]).json()["error"] == "slow_down"  # no shortcut
        t[0] += 10
        done = _poll(client, body["device_code"])
        assert done.status_code == 200
        assert done.json()["user_id"] == sb.world.joe.msa_user_id
        assert done.json()["expires_in"] == 86400
        again = _poll(client, body["device_code"])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_device_code_pending_polls_is_configurable() -> None:
    sb = Sandbox(seed=0, device_code_pending_polls=0)
    with _client(sb) as client:
        first = _poll(client, _connect(client)["device_code"])
    assert first.status_code == 200


def test_device_code_pending_slow_down_and_link_approval() -> None:
    t = [1_700_000_000.0]
    sb = Sandbox(seed=0, clock=lambda: t[0], auto_approve_device_codes=False)
    with _client(sb) as client:
        body = _connect(client)
        pending = _poll(client, body["device_code"])
        assert pending.status_code == 400 and pending.json()["error"] == "authorization_pending"
        t[0] += 2
        fast = _poll(client, body["device_code"])
        assert fast.status_code == 400 and fast.json()["error"] == "slow_down"
        t[0] += 6  # the old 5 s interval is no longer enough after slow_down (now 10 s)
        assert _poll(client, body["device_code"]).json()["error"] == "slow_down"
        t[0] += 16
        assert _poll(client, body["device_code"]).json()["error"] == "authorization_pending"

        form = client.get("/www.microsoft.com/link")
        assert form.status_code == 200 and 'name="code"' in form.text
        wrong = client.post("/www.microsoft.com/link", data={
            "code": str(body["user_code"]).lower(), "login": "joe@example.org",
            "passwd": "nope"})
        assert wrong.status_code == 200 and "incorrect" in wrong.text
        t[0] += 16
        assert _poll(client, body["device_code"]).json()["error"] == "authorization_pending"
        ok = client.post("/www.microsoft.com/link", data={
            "code": str(body["user_code"]), "login": "user3@example.org", "passwd": "hunter2"})
        assert ok.status_code == 200 and "signed in" in ok.text
        t[0] += 16
        done = _poll(client, body["device_code"])
    assert done.status_code == 200
    assert done.json()["user_id"] == sb.world.by_email["user3@example.org"].msa_user_id


def test_device_code_expires() -> None:
    t = [1_700_000_000.0]
    sb = Sandbox(seed=0, clock=lambda: t[0], auto_approve_device_codes=False)
    with _client(sb) as client:
        body = _connect(client)
        t[0] += 901
        resp = _poll(client, body["device_code"])
        late = client.post("/www.microsoft.com/link", data={
            "code": str(body["user_code"]), "login": "joe@example.org", "passwd": "hunter2"})
    assert resp.status_code == 400
    assert resp.json()["error"] == "expired_token"
    assert resp.json()["error_description"] == (
        "The provided value for the input parameter 'device_code' is not valid. "
        "This device code has expired.")
    assert "didn't work" in late.text


@pytest.mark.parametrize("user_code_transform", [str, str.lower])
def test_device_code_declined(user_code_transform: object) -> None:
    sb = Sandbox(seed=0, auto_approve_device_codes=False)
    with _client(sb) as client:
        body = _connect(client)
        code = user_code_transform(str(body["user_code"]))  # type: ignore[operator]
        resp = client.post("/www.microsoft.com/link", data={"code": code, "decline": "1"})
        assert resp.status_code == 200 and "declined" in resp.text
        poll = _poll(client, body["device_code"])
    assert poll.status_code == 400 and poll.json()["error"] == "authorization_declined"
