"""The password sign-in reads the sign-in page of every era and posts today's form; the seed
API's ``xbox.client.authenticate()`` signs in on each era's sandbox, in-process and served."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

import xbox
from xbox.auth import msa
from xbox.exceptions import (
    AuthenticationException,
    InvalidCredentials,
    SignInBlocked,
    SignInPageUnreadable,
)
from xbox.sandbox import ERAS, Sandbox

RECORDED = Path(__file__).resolve().parent / "fixtures" / "recorded-sign-in"
PPFT = "DV7iHx2VqqwCU0H!dpslb02m*TiO5CqUwbtK$"
# Today's ServerData as a Go SISU client's test quotes login.live.com's page (JSON, escaped
# quotes in sFTTag), with a urlPost like the sandbox's.
TODAY = (
    '<!DOCTYPE html><html><head></head><body>\n<script type="text/javascript">\n//<![CDATA[\n'
    'var ServerData = {"sFTName":"PPFT","sFTTag":"<input type=\\"hidden\\" name=\\"PPFT\\" '
    f'id=\\"i0327\\" value=\\"{PPFT}\\"/>","urlPost":"https://login.live.com/ppsecure/post.srf'
    '?client_id=000000004C12AE6F&contextid=ABC123&opid=DEF","iMaxStackForKMSI":15};\n//]]>\n'
    '</script>\n</body></html>').encode()
# The 2014 page's ServerData line (wire spec §1a, shortened).
PAGE_2014 = (
    "<script type=\"text/javascript\">var ServerData = {urlPost:'https://login.live.com/"
    "ppsecure/post.srf?locale=en&redirect_uri=https://login.live.com/oauth20_desktop.srf"
    "&response_type=token&client_id=0000000048093EE3&scope=service::user.auth.xboxlive.com::"
    "MBI_SSL&display=touch&bk=1411237826&uaid=67be8354853a4adf8b77cafb19954b8a',sFTTag:'"
    f"<input type=\"hidden\" name=\"PPFT\" id=\"i0327\" value=\"{PPFT}\"/>',aP:'',C:39}};"
    "</script><script type=\"text/javascript\" src=\"https://auth.gfx.ms/x.js\"></script>"
).encode()


# -- reading the page (pure) -----------------------------------------------------------------

def test_todays_json_page_is_read() -> None:
    url, ppft = msa.parse_login_page(TODAY)
    assert url == ("https://login.live.com/ppsecure/post.srf?client_id=000000004C12AE6F"
                   "&contextid=ABC123&opid=DEF")
    assert ppft == PPFT


def test_the_recorded_2018_page_is_read_whole() -> None:
    """The 2014 pattern cut the 2018 urlPost at its first '%'; ours reads all of it."""
    page = (RECORDED / "login_page_2018.html").read_bytes()
    url, ppft = msa.parse_login_page(page)
    query = dict(parse_qsl(urlsplit(url).query))
    assert query["redirect_uri"] == "https://login.live.com/oauth20_desktop.srf"
    assert query["scope"] == "service::user.auth.xboxlive.com::MBI_SSL"
    assert query["contextid"] == "99E9CC3D498E53A1" and query["pid"] == "15216"
    assert ppft.startswith("DV7iHx2VqqwCU0H!dpslb02m*") and ppft.endswith("NQ$")


def test_the_2016_page_with_a_space_after_the_colon_is_read() -> None:
    page = ("var ServerData = {\n    urlPost: 'https://login.live.com/ppsecure/post.srf?"
            "response_type=token',\n    sFTTag: '<input type=\"hidden\" name=\"PPFT\" "
            f"id=\"i0327\" value=\"{PPFT}\"/>',\n    g: 39\n}};").encode()
    assert msa.parse_login_page(page) == (
        "https://login.live.com/ppsecure/post.srf?response_type=token", PPFT)


def test_the_2014_page_is_read() -> None:
    url, ppft = msa.parse_login_page(PAGE_2014)
    assert url.endswith("&uaid=67be8354853a4adf8b77cafb19954b8a") and ppft == PPFT


@pytest.mark.parametrize(("page", "missing"), [
    (TODAY.replace(b'"urlPost"', b'"urlPosted"'), ("urlPost",)),
    (TODAY.replace(b'name=\\"PPFT\\"', b'name=\\"flow\\"'), ("PPFT",)),
    (b"<html><body>We're unable to complete your request</body></html>", ("urlPost", "PPFT")),
    (PAGE_2014.replace(b"urlPost:", b"url:"), ("urlPost",)),
])
def test_an_unreadable_page_names_what_is_missing_and_nothing_else(
        page: bytes, missing: tuple[str, ...]) -> None:
    with pytest.raises(SignInPageUnreadable) as info:
        msa.parse_login_page(page)
    error = info.value
    assert error.missing == missing and isinstance(error, AuthenticationException)
    text = str(error)
    for name in missing:
        assert name in text
    assert "xbox login" in text and "no password was sent" in text
    # The page's secrets never reach the message.
    assert PPFT not in text and "contextid" not in text and "uaid" not in text


def test_todays_form() -> None:
    form = msa.password_form("joe@example.org", "hunter2", PPFT)
    assert form["loginfmt"] == form["login"] == "joe@example.org"
    assert form["passwd"] == "hunter2" and form["PPFT"] == PPFT
    assert (form["type"], form["LoginOptions"], form["PPSX"], form["NewUser"]) == (
        "11", "3", "Passpor", "1")
    # None of the 2014 form's window-size and host fields.
    assert not {"i3", "m1", "m2", "m3", "i12", "i17", "i18", "SI"} & form.keys()


@pytest.mark.parametrize(("server_data", "kind", "said"), [
    ('{"sErrTxt":"Your account or password is incorrect.","sErrorCode":"80041012",'
     '"urlPost":"https://login.live.com/ppsecure/post.srf"}', InvalidCredentials,
     "Your account or password is incorrect."),
    ('{"sErrTxt":"Sign-in is blocked.","sErrorCode":"80041032",'
     '"urlPost":"https://login.live.com/ppsecure/post.srf"}', SignInBlocked, "blocked"),
    ('{"arrUserProofs":[{"type":10,"display":"Authenticator"}],"urlPost":"https://x"}',
     SignInBlocked, "two-step verification"),
])
def test_todays_refusals_are_read(server_data: str, kind: type[Exception], said: str) -> None:
    page = f"<script>var ServerData = {server_data};</script>".encode()
    error = msa.login_failure(page)
    assert type(error) is kind and said in str(error)


# -- the seed API in every era ---------------------------------------------------------------

@pytest.fixture(params=ERAS)
def era_client(request: pytest.FixtureRequest,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Sandbox, xbox.Client]]:
    sandbox = Sandbox(seed=0, era=request.param)
    client = xbox.Client(base_url=sandbox.base_url, transport=sandbox.transport())
    monkeypatch.setattr(xbox, "client", client)
    yield sandbox, client
    client.close()


def test_the_seed_authenticate_signs_in_on_each_eras_page(
        era_client: tuple[Sandbox, xbox.Client]) -> None:
    sandbox, _ = era_client
    assert xbox.client.authenticate("joe@example.org", "hunter2") is xbox.client
    assert xbox.GamerProfile.from_gamertag("JoeAlcorn").gamertag == "JoeAlcorn"
    [post] = [r for r in sandbox.requests if r.url.path.endswith("/ppsecure/post.srf")]
    form = dict(parse_qsl(post.content.decode()))
    assert form["loginfmt"] == form["login"] == "joe@example.org"
    assert "MSPOK=" in post.headers["Cookie"]  # the page's cookies went back with it
    [page] = [r for r in sandbox.requests if r.url.path.endswith("/oauth20_authorize.srf")]
    assert "client_id=000000004C12AE6F" in str(page.url)


def test_the_seed_authenticate_refusals_on_each_eras_page(
        era_client: tuple[Sandbox, xbox.Client]) -> None:
    with pytest.raises(InvalidCredentials) as wrong:
        xbox.client.authenticate("joe@example.org", "nope")
    assert "Could not log in with supplied credentials" in str(wrong.value)
    assert "nope" not in str(wrong.value)
    with pytest.raises(SignInBlocked):
        xbox.client.authenticate("twofactor@example.org", "hunter2")
    assert xbox.client.authenticated is False


@pytest.mark.parametrize("era", ERAS)
def test_the_seed_authenticate_over_a_socket(era: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    with Sandbox(seed=0, era=era).serve() as served:
        monkeypatch.setenv("XBOX_LIVE_BASE_URL", served.base_url)
        client = xbox.Client()
        monkeypatch.setattr(xbox, "client", client)
        try:
            xbox.client.authenticate("joe@example.org", "hunter2")
            assert xbox.GamerProfile.from_gamertag("JoeAlcorn").xuid == "2533274812246958"
        finally:
            client.close()
        posts = [r for r in served.sandbox.requests if r.method == "POST"
                 and r.url.path.endswith("/login.live.com/ppsecure/post.srf")]
        assert len(posts) == 1


def test_a_page_that_changed_again_is_a_clear_error(sandbox: Sandbox) -> None:
    """A page with neither value: the typed error, and no password posted anywhere."""
    def changed(request: httpx.Request) -> httpx.Response:
        if "/oauth20_authorize.srf" in request.url.path:
            return httpx.Response(200, html="<html><script>var Config = {};</script></html>")
        return sandbox.handle(request)

    with xbox.Client(base_url=sandbox.base_url, transport=httpx.MockTransport(changed),
                     token_store=None) as client, pytest.raises(SignInPageUnreadable) as info:
        client.authenticate("joe@example.org", "hunter2")
    assert info.value.missing == ("urlPost", "PPFT")
    assert not [r for r in sandbox.requests if r.method == "POST"]
