"""`make peers` (scripts/peers.py, scripts/peers_worker.py): what runs without the peers.

The peers themselves run in their own virtualenv and need it installed, so `make peers` runs
them (in .ci/run). Here: the verdicts (an unexpected failure, an allowed one that now passes,
a listed step that no longer runs), the allowed list, the world's ids the methods are called
with, and the worker's browser, which signs in on every shape of sign-in page the sandbox
serves.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest

from xbox.sandbox import ERAS, JOE_EMAIL, JOE_PASSWORD, Sandbox, ServedSandbox
from xbox.sandbox.world_services import JOE_CONSOLES, ServicesWorld

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


peers = _load("peers")
worker = _load("peers_worker")

ROW_OK = {"name": "profile.get_profile_by_xuid", "ok": True, "detail": "ProfileResponse"}
ROW_BAD = {"name": "presence.set_presence_own", "ok": False, "detail": "returned False"}


def _allowed(name: str, sign_in: str = "oauth2") -> Any:
    return peers.Allowed("python-xbox", "2025", sign_in, name, "Xbox Live fails it too")


# -- the verdicts ---------------------------------------------------------------------------------

def test_a_failure_not_listed_is_unexpected_and_a_listed_one_is_not() -> None:
    runs = {("python-xbox", "2025", "oauth2"): [ROW_OK, ROW_BAD]}
    verdicts = peers.judge(runs, [])
    assert [(v.name, v.result, v.unexpected) for v in verdicts] == [
        ("profile.get_profile_by_xuid", "pass", False),
        ("presence.set_presence_own", "FAIL", True)]
    allowed = peers.judge(runs, [_allowed("presence.set_presence_own")])
    assert [v.result for v in allowed] == ["pass", "allowed"]
    assert not any(v.unexpected for v in allowed)


def test_an_allowed_failure_that_passes_now_is_unexpected() -> None:
    verdicts = peers.judge({("python-xbox", "2025", "oauth2"): [ROW_OK]},
                           [_allowed("profile.get_profile_by_xuid")])
    assert [(v.result, v.unexpected) for v in verdicts] == [("PASSES NOW", True)]


def test_an_allowed_entry_naming_no_step_that_ran_is_unexpected() -> None:
    runs = {("python-xbox", "2025", "oauth2"): [ROW_OK]}
    verdicts = peers.judge(runs, [_allowed("profile.get_profile_by_gamertag_renamed")])
    assert [(v.name, v.result, v.unexpected) for v in verdicts][-1] == (
        "profile.get_profile_by_gamertag_renamed", "NOT RUN", True)
    # An entry for a pass that did not run this time (--peers / --eras) is not judged.
    assert [v.result for v in peers.judge(runs, [_allowed("x.y", sign_in="xal")])] == ["pass"]


def test_an_allowed_failure_is_allowed_only_in_its_pass() -> None:
    runs = {("python-xbox", "2025", "oauth2"): [ROW_BAD], ("python-xbox", "2025", "xal"): [ROW_BAD]}
    verdicts = peers.judge(runs, [_allowed("presence.set_presence_own", sign_in="xal")])
    assert [(v.sign_in, v.result) for v in verdicts] == [("oauth2", "FAIL"), ("xal", "allowed")]


def test_the_table_has_one_line_per_step_with_a_column_per_pass() -> None:
    runs = {
        ("python-xbox", "2025", "oauth2"): [
            {"name": "sign-in.oauth2_refresh", "ok": True, "detail": "AuthenticationManager"},
            ROW_OK, ROW_BAD],
        ("python-xbox", "2025", "xal"): [
            {"name": "sign-in.xal_refresh", "ok": True, "detail": "OAuth2TokenResponse"},
            ROW_OK, {**ROW_BAD, "ok": True, "detail": "True"}],
    }
    rows = peers.table_rows(peers.judge(runs, []))
    assert [r[2:] for r in rows] == [
        ("sign-in.oauth2_refresh", "pass", "", "AuthenticationManager"),
        ("sign-in.xal_refresh", "", "pass", "OAuth2TokenResponse"),
        ("profile.get_profile_by_xuid", "pass", "pass", "ProfileResponse"),
        ("presence.set_presence_own", "FAIL", "pass", "[oauth2] returned False"),
    ]
    text = peers.table(peers.judge(runs, []), failures_only=True)
    assert "presence.set_presence_own" in text and "get_profile_by_xuid" not in text
    assert "python-xbox 2025 oauth2: methods 1 of 2 pass, sign-in 1 of 1; 0 allowed " \
           "failures, 1 unexpected" in peers.summary(peers.judge(runs, []))


def test_the_allowed_list_needs_a_reason_and_known_passes() -> None:
    entries = peers.read_allowed(
        '[[allowed]]\npeer = "xbox-webapi"\neras = ["2025", "2018"]\nsign_ins = ["xal"]\n'
        'steps = ["a.b", "c.d"]\nreason = """\nXbox Live\n  fails it too\n"""\n')
    assert {(e.era, e.sign_in, e.name) for e in entries} == {
        ("2025", "xal", "a.b"), ("2025", "xal", "c.d"), ("2018", "xal", "a.b"),
        ("2018", "xal", "c.d")}
    assert entries[0].reason == "Xbox Live fails it too"
    both = peers.read_allowed('[[allowed]]\npeer="p"\neras=["2025"]\nsteps=["a.b"]\nreason="r"\n')
    assert [e.sign_in for e in both] == ["oauth2", "xal"]
    with pytest.raises(ValueError, match="reason"):
        peers.read_allowed('[[allowed]]\npeer="p"\neras=["2025"]\nsteps=["a.b"]\nreason=" "\n')
    with pytest.raises(ValueError, match="sign_ins"):
        peers.read_allowed('[[allowed]]\npeer="p"\neras=["2025"]\nsteps=["a.b"]\nreason="r"\n'
                           'sign_ins=["password"]\n')


def test_the_project_allowed_list_reads_and_names_only_known_peers_eras_and_steps() -> None:
    entries = peers.read_allowed(peers.ALLOWED.read_text())
    assert entries
    for entry in entries:
        assert entry.peer in peers.PEERS and entry.era in peers.ERAS
        provider = entry.name.partition(".")[0]
        # Provider methods the check knows, or its own sign-in steps.
        assert entry.name in worker.METHODS or provider == "sign-in", entry.name
        assert len(entry.reason) > 40, entry  # a reason, with its evidence


# -- the world's ids --------------------------------------------------------------------------------

def test_the_methods_are_called_with_ids_of_the_sandbox_world() -> None:
    facts = peers.world_facts()
    sb = Sandbox(seed=0)
    world, joe = sb.world, sb.world.joe
    services = ServicesWorld(world)
    assert (facts["xuid"], facts["gamertag"]) == (joe.xuid, joe.gamertag)
    assert facts["friend_xuid"] in joe.friends and set(facts["friend_xuids"]) <= set(joe.friends)
    assert world.by_xuid[facts["friend_xuid"]].gamertag == facts["friend_gamertag"]
    titles = {str(t.title_id): t for t in joe.titles}
    assert titles[facts["title_id"]].scid == facts["scid"]
    assert titles[facts["title_id_360"]].scid.startswith("00000000-0000-0000-0000-")
    assert facts["clip_title_id"] in {str(c.title.title_id) for c in joe.clips}
    assert facts["screenshot_title_id"] in {str(c.title.title_id) for c in joe.screenshots}
    assert services.facts_by_pfn(facts["pfn"]) is not None
    assert facts["console_id"] in {c[0] for c in JOE_CONSOLES if c[3] == "On"}
    assert services.conversation_with(joe.xuid, facts["conversation_xuid"]) is not None
    assert world.account_by_gamertag(facts["free_gamertag"]) is None
    pinned = {p.item_id for p in services.pins[joe.xuid]}
    assert facts["pin"]["Items"][0]["ItemId"] not in pinned  # so that pinning it adds it
    assert (facts["email"], facts["password"]) == (JOE_EMAIL, JOE_PASSWORD)


# -- the worker's browser ----------------------------------------------------------------------------

def test_run_order_puts_creations_first_and_unknown_methods_last() -> None:
    names = ["message.delete_message", "zz.new_method", "message.send_message",
             "smartglass.wake_up", "smartglass.turn_off"]
    assert worker.in_run_order(names) == [
        "message.send_message", "message.delete_message", "smartglass.turn_off",
        "smartglass.wake_up", "zz.new_method"]


TODAY_PAGE = (
    '<html><head><title>Sign in to your Microsoft account</title></head><body><script>'
    'var ServerData = {"sErrTxt":"","urlPost":"https://login.live.com/ppsecure/post.srf?'
    'contextid=AB\\u0026opid=CD\\u0026bk=1","sFTTag":"<input type=\\"hidden\\" name=\\"PPFT\\" '
    'id=\\"i0327\\" value=\\"Dx!ab*cd$$\\"/>","oAppCobranding":{"x":{"y":1}},"iMaxPollErrors":5};'
    '</script></body></html>')


def test_todays_login_page_is_posted_as_its_script_posts_it() -> None:
    url, form = worker.sign_in_form(TODAY_PAGE, "https://login.live.com/oauth20_authorize.srf",
                                    "joe@example.org", "hunter2")
    assert url == "https://login.live.com/ppsecure/post.srf?contextid=AB&opid=CD&bk=1"
    assert form == {"login": "joe@example.org", "loginfmt": "joe@example.org",
                    "passwd": "hunter2", "PPFT": "Dx!ab*cd$$"}


def _password_page(http: httpx.Client) -> httpx.Response:
    """The password page (the Xbox app's id and the implicit grant), in the sandbox's era."""
    return http.get("/login.live.com/oauth20_authorize.srf", params={
        "client_id": "000000004C12AE6F", "response_type": "token",
        "redirect_uri": "https://login.live.com/oauth20_desktop.srf",
        "scope": "service::user.auth.xboxlive.com::MBI_SSL"})


@pytest.mark.parametrize("era", ERAS)
def test_the_password_page_of_every_era_is_posted_as_its_script_posts_it(era: str) -> None:
    # Today's page (JSON ServerData), the recorded 2018 one and the 2014 JS literal.
    sb = Sandbox(seed=0, era=era)
    with httpx.Client(base_url=sb.base_url, transport=sb.transport()) as http:
        url, form = worker.sign_in_form(_password_page(http).text, "https://login.live.com/x",
                                        JOE_EMAIL, JOE_PASSWORD)
        assert url.startswith("https://login.live.com/ppsecure/post.srf?")
        assert form["PPFT"] and form["login"] == form["loginfmt"] == JOE_EMAIL
        signed_in = http.post("/login.live.com" + url.removeprefix("https://login.live.com"),
                              data=form)
    assert signed_in.status_code == 302
    assert "#access_token=" in signed_in.headers["location"]


def test_the_sandbox_code_form_is_filled_in() -> None:
    sb = Sandbox(seed=0)
    with httpx.Client(base_url=sb.base_url, transport=sb.transport()) as http:
        code_page = http.get("/login.live.com/oauth20_authorize.srf", params={
            "client_id": "388ea51c-0b25-4029-aae2-17df49d23905", "response_type": "code",
            "redirect_uri": "http://localhost:8080/auth/callback", "scope": "Xboxlive.signin"})
    url, form = worker.sign_in_form(code_page.text, "https://login.live.com/oauth20_authorize.srf",
                                    "a@b", "pw")
    assert url.startswith("https://login.live.com/ppsecure/post.srf?")
    assert form["passwd"] == "pw" and form["PPFT"]


def test_a_page_without_a_sign_in_form_is_a_clear_failure() -> None:
    page = "<html><head><title>We're unable to complete your request</title></head></html>"
    with pytest.raises(worker.StepFailed, match=r"no form to post.*unable to complete"):
        worker.sign_in_form(page, "https://login.live.com/x", "a@b", "pw")


def test_the_browser_signs_in_and_stops_at_the_apps_redirect(served: ServedSandbox) -> None:
    redirect = "http://localhost:8080/auth/callback"
    start = "https://login.live.com/oauth20_authorize.srf?" + urlencode({
        "client_id": "388ea51c-0b25-4029-aae2-17df49d23905", "response_type": "code",
        "redirect_uri": redirect, "scope": "Xboxlive.signin Xboxlive.offline_access",
        "state": "s1"})
    landed = asyncio.run(worker.browse_to_redirect(served.base_url, start, redirect,
                                                   JOE_EMAIL, JOE_PASSWORD))
    query = dict(parse_qsl(urlsplit(landed).query))
    assert landed.startswith(redirect) and query["state"] == "s1" and query["code"]
    with pytest.raises(worker.StepFailed, match=r"sign-in refused: .*password is incorrect"):
        asyncio.run(worker.browse_to_redirect(served.base_url, start, redirect, JOE_EMAIL, "no"))


def test_the_browser_reads_cookies_as_login_live_com_joins_them() -> None:
    sb = Sandbox(seed=0)
    with httpx.Client(base_url=sb.base_url, transport=sb.transport()) as http:
        page = _password_page(http)
    # Today's page sets its cookies one header each; the browser keeps them all.
    assert set(worker.set_cookies(page.headers)) >= {"MSPRequ", "MSPOK"}
    joined = httpx.Headers([("Set-Cookie", "MSPRequ=lt=1&co=1&id=N; path=/;HTTPOnly=;version=1, "
                                           "MSPOK=$uuid-1; domain=login.live.com;path=/")])
    assert worker.set_cookies(joined) == {"MSPRequ": "lt=1&co=1&id=N", "MSPOK": "$uuid-1"}
    gone = httpx.Headers([("Set-Cookie", "MSPRequ=; path=/;version=1;Expires=Thu, "
                                         "30-Oct-1980 16:00:00 GMT"), ("Set-Cookie", "A=b; path=/")])
    assert worker.set_cookies(gone) == {"MSPRequ": "", "A": "b"}


def test_the_sandbox_is_served_as_a_user_starts_it_and_stopped() -> None:
    with peers.served("2018") as base:
        assert base.startswith("http://127.0.0.1:")
        r = httpx.get(f"{base}/unknown.example.org/", timeout=10)
        assert r.status_code == 404  # it answers: an unknown route, not a refused connection
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base}/", timeout=5)
    with pytest.raises(RuntimeError) as refused, peers.served("1999"):
        pass
    assert "--era 1999 gave no base URL" in str(refused.value)
    assert "Invalid value for '--era'" in str(refused.value)  # what the server said


def test_a_worker_never_sees_our_package_nor_the_users_home() -> None:
    env = peers.worker_env({"PYTHONPATH": "/repo/src", "HOME": "/home/me", "PATH": "/bin",
                            "PYTHONHOME": "/py"}, "/tmp/peers-x")
    assert env == {"PATH": "/bin", "HOME": "/tmp/peers-x", "XDG_DATA_HOME": "/tmp/peers-x"}
