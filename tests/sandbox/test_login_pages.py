"""The sign-in page of each era, read the way the clients of that era read it: the 2018 page
(recorded) and today's (JSON ServerData, read with XboxReplay xboxlive-auth 5.1's patterns).
The 2014 page and its scrape are in test_login.py."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlsplit

import httpx
import pytest

from tests.fidelity import assert_same_shape, recorded
from tests.sandbox.signing import mapped
from xbox.sandbox import Sandbox

RECORDED = Path(__file__).resolve().parent.parent / "fixtures" / "recorded-sign-in"
XBOX_APP = "000000004C12AE6F"  # XboxReplay 5.1's client (config.clients.xboxApp)
SCOPE = "service::user.auth.xboxlive.com::MBI_SSL"
DESKTOP = "https://login.live.com/oauth20_desktop.srf"
# XboxReplay xboxlive-auth 5.1 src/shared/libs/live/modules/requests/index.ts, verbatim.
XR_PPFT = re.compile(r'name=\\?"PPFT\\?"[^>]*value=\\?"([^"\\]+)\\?"', re.I)
XR_URL_POST = re.compile(r"""\\?['"]?urlPost\\?['"]?:\s*\\?['"]([^'"\\]+)\\?['"]""", re.I)
# The 2014 library's (and XboxReplay 4.x's) patterns.
URL_2014 = re.compile(r"urlPost:\'([A-Za-z0-9:\?_\-\.&/=]+)")
PPFT_2014 = re.compile(r'sFTTag:\'.*value="(.*)"/>')
SERVER_DATA = re.compile(r"var ServerData = (\{.*?\});\s*$", re.M)


def _client(era: str) -> tuple[Sandbox, httpx.Client]:
    sb = Sandbox(seed=0, era=era)
    return sb, httpx.Client(base_url=sb.base_url, transport=sb.transport())


def _authorize(http: httpx.Client, client_id: str = XBOX_APP) -> httpx.Response:
    """The authorize page as XboxReplay 5.1's getAuthorizeUrl asks for it."""
    return http.get("/login.live.com/oauth20_authorize.srf", params={
        "client_id": client_id, "redirect_uri": DESKTOP, "response_type": "token",
        "scope": SCOPE})


def _xboxreplay_cookie(page: httpx.Response) -> str:
    """XboxReplay 5.1's Cookie header: the set-cookie values joined by ', ', split on ','."""
    joined = ", ".join(page.headers.get_list("set-cookie"))
    return "; ".join(c.strip().split(";")[0] for c in joined.split(",") if c.strip())


def _today_post(http: httpx.Client, email: str, password: str) -> httpx.Response:
    """XboxReplay 5.1's authenticate(): preAuth, then login/loginfmt/passwd/PPFT."""
    page = _authorize(http)
    url, ppft = XR_URL_POST.search(page.text), XR_PPFT.search(page.text)
    assert url is not None and ppft is not None
    return http.post(mapped(url.group(1)), data={
        "login": email, "loginfmt": email, "passwd": password, "PPFT": ppft.group(1)},
        headers={"Cookie": _xboxreplay_cookie(page)})


def _server_data(page: httpx.Response) -> dict[str, object]:
    match = SERVER_DATA.search(page.text)
    assert match is not None
    data: dict[str, object] = json.loads(match.group(1))
    return data


# -- today's page ---------------------------------------------------------------------------

def test_todays_page_is_json_server_data_read_by_xboxreplay_51() -> None:
    _, http = _client("2025")
    page = _authorize(http)
    assert page.status_code == 200 and page.headers["content-encoding"] == "gzip"
    data = _server_data(page)  # a JSON object, keys and strings double-quoted
    assert data["sFTName"] == "PPFT"
    assert '<input type="hidden" name="PPFT" id="i0327" value="' in str(data["sFTTag"])
    # The PPFT's quotes are escaped in the page text, as XboxReplay 5.1 expects them.
    assert 'name=\\"PPFT\\" id=\\"i0327\\" value=\\"' in page.text
    url = XR_URL_POST.search(page.text)
    ppft = XR_PPFT.search(page.text)
    assert url is not None and ppft is not None
    assert url.group(1) == data["urlPost"] and ppft.group(1) in str(data["sFTTag"])
    parts = urlsplit(url.group(1))
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "login.live.com",
                                                        "/ppsecure/post.srf")
    query = dict(parse_qsl(parts.query))
    assert query["client_id"] == XBOX_APP and query["redirect_uri"] == DESKTOP
    assert {"contextid", "opid", "bk", "uaid", "pid"} <= query.keys()
    # The 2014 patterns (and the 2018 clients' key-value scrape) find nothing there.
    assert URL_2014.search(page.text) is None and PPFT_2014.search(page.text) is None
    assert "urlPost:'" not in page.text and "sFTTag:'" not in page.text
    names = [c.split("=", 1)[0] for c in page.headers.get_list("set-cookie")]
    assert names == ["MSPRequ", "uaid", "MSPOK", "OParams"]


def test_xboxreplay_51_signs_in_on_todays_page_and_gets_xbox_tokens() -> None:
    sb, http = _client("2025")
    posted = _today_post(http, "joe@example.org", "hunter2")
    assert posted.status_code == 302 and posted.content == b""
    fragment = {k: v[0] for k, v in parse_qs(urlsplit(posted.headers["Location"]).fragment)
                .items()}
    assert list(parse_qs(urlsplit(posted.headers["Location"]).fragment)) == [
        "access_token", "token_type", "expires_in", "scope", "refresh_token", "user_id"]
    assert fragment["expires_in"] == "86400" and fragment["scope"] == SCOPE
    user = http.post("/user.auth.xboxlive.com/user/authenticate", json={
        "RelyingParty": "http://auth.xboxlive.com", "TokenType": "JWT",
        "Properties": {"AuthMethod": "RPS", "SiteName": "user.auth.xboxlive.com",
                       "RpsTicket": "t=" + fragment["access_token"]}})
    assert user.status_code == 200
    grant = sb.tokens.check(fragment["access_token"], "msa", sb.now())
    assert grant is not None and grant.client_id == XBOX_APP


@pytest.mark.parametrize(("email", "password", "code", "text"), [
    ("joe@example.org", "wrong", "80041012", "Your account or password is incorrect."),
    ("nobody@example.org", "hunter2", "CFFFFC15", "That Microsoft account doesn't exist."),
    ("blocked@example.org", "hunter2", "80041032", "Sign-in is blocked."),
])
def test_todays_refusals_rerender_the_json_page(email: str, password: str, code: str,
                                                text: str) -> None:
    _, http = _client("2025")
    again = _today_post(http, email, password)
    assert again.status_code == 200 and "Location" not in again.headers
    data = _server_data(again)
    assert data["sErrorCode"] == code and str(data["sErrTxt"]).startswith(text)
    assert data["sPOST_Username"] == email
    assert XR_PPFT.search(again.text) and XR_URL_POST.search(again.text)  # a fresh form
    assert "<!-- HR=" not in again.text and "sErrTxt:'" not in again.text


def test_todays_two_step_page_lists_the_proofs() -> None:
    _, http = _client("2025")
    page = _today_post(http, "twofactor@example.org", "hunter2")
    assert page.status_code == 200 and "Location" not in page.headers
    proofs = _server_data(page)["arrUserProofs"]
    assert isinstance(proofs, list) and proofs and proofs[0]["display"].startswith("tw*****@")
    assert "PROOF.Type" not in page.text


def test_a_typed_name_cannot_break_out_of_todays_script() -> None:
    _, http = _client("2025")
    page = _today_post(http, '</script><script>alert(1)</script>"@example.org', "x")
    assert page.status_code == 200
    assert page.text.count("</script>") == page.text.count("<script")
    assert _server_data(page)["sErrorCode"] == "CFFFFC15"


# -- the 2018 page (recorded) ---------------------------------------------------------------

def _has_key(text: str, key: str) -> bool:
    """Whether the single-line ServerData literal names ``key`` (unquoted keys)."""
    return re.search(r"[{,]" + re.escape(key) + r":", text) is not None


def test_the_2018_page_has_the_recorded_pages_shape() -> None:
    real = (RECORDED / "login_page_2018.html").read_text("utf-8")
    _, http = _client("2018")
    page = _authorize(http, "0000000048093EE3")
    assert page.status_code == 200
    for key in ("B0", "bo", "urlPost", "C", "sErrTxt", "BW", "sFTTag", "oClientAppProperties"):
        assert _has_key(real, key) and _has_key(page.text, key), key
    # What the clients of each era find on the recorded page, they find on ours.
    for text in (real, page.text):
        url = URL_2014.search(text)
        assert url is not None and url.group(1).endswith("redirect_uri=https")  # cut at %
        assert PPFT_2014.search(text) is not None  # the PPFT still reads
        assert XR_URL_POST.search(text) and XR_PPFT.search(text)  # and XboxReplay 5.1 too
        assert re.search(r"bo:'https://login\.live\.com/GetCredentialType\.srf\?", text)
    ours_url = re.search(r"urlPost:'([^']+)'", page.text)
    real_url = re.search(r"urlPost:'([^']+)'", real)
    assert ours_url is not None and real_url is not None
    # The flow's own query first (as the client sent it), then login.live.com's four.
    for url in (ours_url.group(1), real_url.group(1)):
        assert list(dict(parse_qsl(urlsplit(url).query)))[-4:] == ["contextid", "bk", "uaid",
                                                                    "pid"]
    assert "redirect_uri=https%3A%2F%2Flogin.live.com%2Foauth20_desktop.srf" in ours_url.group(1)
    names = [c.split("=", 1)[0] for c in page.headers.get_list("set-cookie")]
    assert names == ["MSPRequ", "uaid", "MSPOK"]  # the recording's three


def test_the_2018_flow_credential_type_then_post() -> None:
    """xbox-webapi-python 1.1.8's password flow: GetCredentialType, then post.srf with its
    eight fields; the 302's fragment in the 2018 recording's order (full_auth.json)."""
    _, http = _client("2018")
    page = _authorize(http, "0000000048093EE3")
    credential_url = re.search(r"bo:'([^']+)'", page.text)
    url_post = re.search(r"urlPost:'([^']+)'", page.text)
    ppft = PPFT_2014.search(page.text)
    assert credential_url and url_post and ppft
    answer = http.post(mapped(credential_url.group(1)), json={
        "username": "joe@example.org", "uaid": http.cookies.get("uaid"),
        "isOtherIdpSupported": False, "checkPhones": False, "isRemoteNGCSupported": True,
        "isCookieBannerShown": False, "isFidoSupported": False, "flowToken": ppft.group(1)})
    assert answer.status_code == 200
    assert_same_shape(answer.json(), recorded("login_get_credential_type_2018.json", "recorded-sign-in"))
    assert answer.json()["IfExistsResult"] == 0
    unknown = http.post(mapped(credential_url.group(1)), json={"username": "no@example.org"})
    assert unknown.json()["IfExistsResult"] == 1
    posted = http.post(mapped(url_post.group(1)), data={
        "login": "joe@example.org", "passwd": "hunter2", "PPFT": ppft.group(1),
        "PPSX": "Passpor", "SI": "Sign in", "type": "11", "NewUser": "1",
        "LoginOptions": "1"})
    assert posted.status_code == 302
    assert list(parse_qs(urlsplit(posted.headers["Location"]).fragment)) == [
        "access_token", "token_type", "expires_in", "scope", "refresh_token", "user_id"]


def test_the_2018_wrong_password_and_two_step_pages() -> None:
    _, http = _client("2018")
    page = _authorize(http, "0000000048093EE3")
    url_post = re.search(r"urlPost:'([^']+)'", page.text)
    ppft = PPFT_2014.search(page.text)
    assert url_post and ppft
    wrong = http.post(mapped(url_post.group(1)), data={
        "login": "joe@example.org", "passwd": "nope", "PPFT": ppft.group(1)})
    assert wrong.status_code == 200
    assert ("sErrTxt:'That password is incorrect. Be sure you\\'re using the password for "
            "your Microsoft account.<!-- HR=80041012 -->'") in wrong.text
    fresh = re.search(r"urlPost:'([^']+)'", wrong.text)
    token = PPFT_2014.search(wrong.text)
    assert fresh and token
    proof = http.post(mapped(fresh.group(1)), data={
        "login": "twofactor@example.org", "passwd": "hunter2", "PPFT": token.group(1)})
    assert proof.status_code == 200 and "PROOF.Type = {" in proof.text
