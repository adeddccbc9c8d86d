"""The Xbox app's signed sign-in, client side: the request signer against the published
vectors, then device code, browser (paste) and title sign-ins through the strict sandbox,
their refreshes, the token file, XSTS tokens for other relying parties, and mediahub.

The sandbox verifies every signature with its own code (``xbox.sandbox._signature``), so a
sign-in that passes here was signed as the wire description says, not as the client thinks.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import io
import json
import os
import stat
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, encode_dss_signature

import xbox
from tests.auth_helpers import FakeClock, async_client, requests_to, sync_client
from xbox.archive import Archive
from xbox.auth import browser, flows
from xbox.auth.signing import RequestSigner, filetime, signing_input
from xbox.auth.store import TokenStore
from xbox.cli import cli
from xbox.exceptions import AuthenticationException, InvalidArgument, PermissionDenied
from xbox.sandbox import JOE_EMAIL, JOE_PASSWORD, Sandbox, ServedSandbox

RECORDED = Path(__file__).resolve().parent / "fixtures" / "recorded"
# OpenXbox/xbox-webapi-python's request-signer test vectors (see fixtures/recorded/ORIGIN.md).
VECTORS = json.loads((RECORDED / "signing_vectors.json").read_text())
TEST_KEY = (RECORDED / "signing_test_key.pem").read_text()
MINECRAFT = "00000000441cc96b"  # a public id that signs in with a title token


# -- the signer ------------------------------------------------------------------------------

def _verify(signer_jwk: dict[str, str], header: str, data: bytes) -> bool:
    """Check a ``Signature`` header over ``data`` with the public key alone."""
    raw = base64.b64decode(header)
    numbers = ec.EllipticCurvePublicNumbers(
        int.from_bytes(base64.urlsafe_b64decode(signer_jwk["x"] + "="), "big"),
        int.from_bytes(base64.urlsafe_b64decode(signer_jwk["y"] + "="), "big"), ec.SECP256R1())
    signature = encode_dss_signature(int.from_bytes(raw[12:44], "big"),
                                     int.from_bytes(raw[44:76], "big"))
    try:
        numbers.public_key().verify(signature, hashlib.sha256(data).digest(),
                                    ec.ECDSA(Prehashed(hashes.SHA256())))
    except Exception:
        return False
    return True


def test_the_signer_matches_the_published_vectors() -> None:
    signer = RequestSigner.from_pem(TEST_KEY)
    assert signer.proof_key == VECTORS["proof_key"]
    request = VECTORS["request"]
    ticks = filetime(VECTORS["timestamp_unix"])
    data = signing_input(request["method"], request["path_and_query"],
                         authorization=request["authorization"],
                         body=request["body"].encode(), timestamp=ticks)
    assert data.hex() == VECTORS["concatenated_hex"]
    assert hashlib.sha256(data).hexdigest() == VECTORS["sha256_hex"]
    # The published signature verifies over our bytes, and ours over the same bytes.
    assert _verify(signer.proof_key, VECTORS["deterministic_signature_b64"], data)
    header = signer.sign(request["method"], request["path_and_query"], request["body"].encode(),
                         request["authorization"], timestamp=VECTORS["timestamp_unix"])
    raw = base64.b64decode(header)
    assert len(raw) == 76
    assert raw[:12] == base64.b64decode(VECTORS["deterministic_signature_b64"])[:12]
    assert struct.unpack(">IQ", raw[:12]) == (1, ticks)
    assert _verify(signer.proof_key, header, data)
    assert not _verify(RequestSigner().proof_key, header, data)  # another key: no


def test_only_the_first_8192_body_bytes_are_signed_and_nothing_else_is_ignored() -> None:
    signer = RequestSigner.from_pem(TEST_KEY)
    body = b"x" * 8192
    header = signer.sign("POST", "/p", body + b"tail", timestamp=1_700_000_000)
    ticks = filetime(1_700_000_000)
    assert _verify(signer.proof_key, header,
                   signing_input("POST", "/p", body=body, timestamp=ticks))
    for changed in (signing_input("POST", "/q", body=body, timestamp=ticks),
                    signing_input("PUT", "/p", body=body, timestamp=ticks),
                    signing_input("POST", "/p", body=body, authorization="XBL3.0 x=1;t",
                                  timestamp=ticks),
                    signing_input("POST", "/p", body=body, timestamp=ticks + 1)):
        assert not _verify(signer.proof_key, header, changed)


def test_keys_round_trip_through_pem_and_never_show() -> None:
    signer = RequestSigner()
    again = RequestSigner.from_pem(signer.to_pem())
    assert again == signer and again.proof_key == signer.proof_key
    assert RequestSigner() != signer
    assert "PRIVATE" not in repr(signer) and signer.to_pem() not in repr(signer)
    with pytest.raises(InvalidArgument, match="not a PEM private key"):
        RequestSigner.from_pem("-----BEGIN NOTHING-----")
    with pytest.raises(InvalidArgument, match="P-256"):
        RequestSigner(ec.generate_private_key(ec.SECP384R1()))  # type: ignore[arg-type]


# -- device code, then SISU ------------------------------------------------------------------

@pytest.fixture
def served_sb() -> Iterator[ServedSandbox]:
    with Sandbox(seed=0, device_code_pending_polls=0).serve() as served:
        yield served


def test_device_code_then_sisu_over_a_socket_reaches_mediahub(served_sb: ServedSandbox,
                                                              tmp_path: Path) -> None:
    sb = served_sb.sandbox
    with xbox.Client(base_url=served_sb.base_url) as xbl:
        session = xbl.login_device_code(on_code=lambda code: None)
        assert session.flow == "sisu" and session.gamertag == "JoeAlcorn"
        [device] = requests_to(sb, "device.auth.xboxlive.com")
        body = json.loads(device.content)
        assert body["Properties"]["AuthMethod"] == "ProofOfPossession"
        assert body["Properties"]["ProofKey"] == session.device.signer.proof_key  # type: ignore[union-attr]
        # Mediahub takes the SISU token: the archiver reads both sources, refused by neither.
        newest = xbl.clips.mine().to_list()[0]
        assert newest.source == "mediahub" and newest.title_name == "Starfield"
        with Archive(tmp_path / "archive") as folder:
            report = folder.archive_user(xbl, "JoeAlcorn", dry_run=True)
        assert report.ok and not report.source_errors
        seen = {source for sources in report.sources.values() for source in sources}
        assert seen == {"metadata", "mediahub"}
        assert report.sources[newest.id] == ("mediahub",)  # a newer title's: mediahub only


def test_the_token_file_keeps_the_device_key_private(served_sb: ServedSandbox,
                                                     isolated_home: Path) -> None:
    with xbox.Client(base_url=served_sb.base_url) as xbl:
        first = xbl.login_device_code(on_code=lambda code: None)
    path = TokenStore().path("default")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text())
    assert saved["version"] == 2 and saved["flow"] == "sisu"
    assert saved["device"]["key_pem"].startswith("-----BEGIN PRIVATE KEY-----")
    # Signing in again keeps the device (its key and ids), as the Xbox app does.
    with xbox.Client(base_url=served_sb.base_url) as xbl:
        second = xbl.login_device_code(on_code=lambda code: None)
    assert first.device is not None and second.device is not None
    assert (second.device.id, second.device.key_pem) == (first.device.id, first.device.key_pem)
    for shown in (repr(second), repr(second.device), str(xbl.whoami())):
        assert first.device.key_pem not in shown and "PRIVATE" not in shown


def test_the_cli_signs_in_through_sisu_and_whoami_says_so() -> None:
    logged = CliRunner().invoke(cli, ["--sandbox", "login"], catch_exceptions=False)
    assert logged.exit_code == 0, logged.stderr
    assert "https://www.microsoft.com/link" in logged.stderr
    shown = CliRunner().invoke(cli, ["--sandbox", "--json", "whoami"], catch_exceptions=False)
    me = json.loads(shown.stdout)
    assert me["flow"] == "sisu" and me["app_id"] == flows.PUBLIC_CLIENT_ID
    assert me["device_expires"] and me["title_expires"]
    table = CliRunner().invoke(cli, ["--sandbox", "whoami"], catch_exceptions=False)
    assert "Signed in with\tSISU (as the Xbox app)\n" in table.stdout  # piped: tab-separated


# -- the browser, with the address pasted back ----------------------------------------------

def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _browse(url: str, served: ServedSandbox) -> str:
    """A person's browser: opens ``url``, signs in as Joe (``login_hint``), and returns the
    address login.live.com sends it to (a browser cannot open ``ms-xal-...``: it stays in
    the address bar)."""
    assert url.startswith(served.base_url + "/login.live.com/oauth20_authorize.srf?")
    with httpx.Client(timeout=10) as http:
        answer = http.get(_with_query(url, login_hint=JOE_EMAIL))
    assert answer.status_code == 302
    return answer.headers["Location"]


def test_browser_paste_sign_in_goes_through_sisu(served_sb: ServedSandbox) -> None:
    sb = served_sb.sandbox
    with xbox.Client(base_url=served_sb.base_url) as xbl:
        pending = xbl.start_browser_sign_in()
        query = parse_qs(urlsplit(pending.url).query)
        assert query["code_challenge_method"] == ["S256"]  # PKCE
        landed = _browse(pending.url, served_sb)
        assert landed.startswith("ms-xal-000000004c12ae6f://auth?code=")
        session = xbl.finish_browser_sign_in(pending, landed)
    assert session.flow == "sisu" and session.gamertag == "JoeAlcorn"
    [authenticate] = requests_to(sb, "sisu.xboxlive.com", "authenticate")
    assert authenticate.headers["Signature"]
    [redeem] = requests_to(sb, "login.live.com", "oauth20_token.srf")
    sent = parse_qs(redeem.content.decode())
    assert sent["redirect_uri"] == [browser.SISU_REDIRECT_URI] and sent["code_verifier"]
    [authorize] = requests_to(sb, "sisu.xboxlive.com", "authorize")
    assert json.loads(authorize.content)["SessionId"]  # the one authenticate opened


async def test_login_browser_in_one_call_with_paste(served_sb: ServedSandbox) -> None:
    opened: list[str] = []
    async with xbox.AsyncClient(base_url=served_sb.base_url) as xbl:
        session = await xbl.login_browser(
            open_browser=opened.append,
            paste=lambda prompt: _browse(opened[-1], served_sb))
    assert session.flow == "sisu" and len(opened) == 1


def test_a_pasted_address_with_another_state_redeems_nothing(served_sb: ServedSandbox) -> None:
    sb = served_sb.sandbox
    with xbox.Client(base_url=served_sb.base_url) as xbl:
        pending = xbl.start_browser_sign_in()
        landed = _with_query(_browse(pending.url, served_sb), state="forged")
        with pytest.raises(AuthenticationException, match="did not carry this sign-in's state"):
            xbl.finish_browser_sign_in(pending, landed)
        refused = _with_query(pending.redirect_uri + "?x=1", error="access_denied",
                              error_description="The user has denied access.",
                              state=pending.state)
        with pytest.raises(AuthenticationException, match="denied"):
            xbl.finish_browser_sign_in(pending, refused)
        assert not xbl.authenticated
    assert not requests_to(sb, "login.live.com", "oauth20_token.srf")


def test_the_cli_browser_sign_in_reads_the_pasted_address(
        served_sb: ServedSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    landed: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url: landed.append(_browse(url, served_sb)))

    class Pasted(io.RawIOBase):
        """Standard input where the person pastes the address, once the browser has landed."""

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            data = (landed.pop() + "\n").encode() if landed else b""
            buffer[:len(data)] = data
            return len(data)

    result = CliRunner().invoke(cli, ["login", "--browser"], input=io.BufferedReader(Pasted()),
                                env={"XBOX_LIVE_BASE_URL": served_sb.base_url},
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "ms-xal-000000004c12ae6f://auth" in result.stderr  # the prompt says what to copy
    assert "Signed in as JoeAlcorn" in result.stderr
    assert TokenStore().load("default").flow == "sisu"  # type: ignore[union-attr]


def test_a_public_id_never_gets_a_loopback_redirect(served_sb: ServedSandbox) -> None:
    with xbox.Client(base_url=served_sb.base_url) as xbl:
        with pytest.raises(InvalidArgument, match="paste="):
            xbl.login_browser(open_browser=lambda url: None)
        # What the first build sent, and login.live.com refuses for the Xbox app's id:
        url = xbl.authorization_url("http://127.0.0.1:8400/auth/callback",
                                    client_id=flows.PUBLIC_CLIENT_ID)
    with httpx.Client(timeout=10) as http:
        answer = http.get(_with_query(url, login_hint=JOE_EMAIL))
    # login.live.com sends the browser to its error page, never to the loopback address.
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("https://login.live.com/err.srf")
    assert "redirect_uri" in answer.headers["Location"]


# -- the title flow ---------------------------------------------------------------------------

def test_a_title_id_signs_in_with_device_and_title_tokens(served_sb: ServedSandbox) -> None:
    sb = served_sb.sandbox
    with xbox.Client(base_url=served_sb.base_url) as xbl:
        session = xbl.login_device_code(on_code=lambda code: None, client_id=MINECRAFT)
        assert session.flow == "title" and xbl.whoami()["app_id"] == MINECRAFT
        assert xbl.clips.mine().to_list()  # mediahub takes it too
    [title] = requests_to(sb, "title.auth.xboxlive.com")
    assert title.headers["Signature"]
    [xsts] = requests_to(sb, "xsts.auth.xboxlive.com")
    props = json.loads(xsts.content)["Properties"]
    assert props["DeviceToken"] and props["TitleToken"] and props["ProofKey"]
    assert xsts.headers["Signature"] and not requests_to(sb, "sisu.xboxlive.com")


def test_the_minecraft_java_id_signs_in_through_sisu(served_sb: ServedSandbox) -> None:
    # Its title authentication answers 403 {} (prismarine-auth #54, #140, #182); SISU works.
    sb = served_sb.sandbox
    with xbox.Client(base_url=served_sb.base_url) as xbl:
        session = xbl.login_device_code(on_code=lambda code: None,
                                        client_id="00000000402b5328")
        assert session.flow == "sisu" and xbl.profiles.me().gamertag == "JoeAlcorn"
    assert requests_to(sb, "sisu.xboxlive.com") and not requests_to(sb, "title.auth.xboxlive.com")


def test_flow_overrides_the_choice_and_a_bad_one_is_refused(served_sb: ServedSandbox) -> None:
    with xbox.Client(base_url=served_sb.base_url) as xbl:
        assert xbl.login_device_code(on_code=lambda code: None, client_id=MINECRAFT,
                                     flow="plain").flow == "plain"
        with pytest.raises(InvalidArgument, match="flow is one of sisu, title, plain"):
            xbl.login_device_code(on_code=lambda code: None, flow="magic")


# -- staying signed in -----------------------------------------------------------------------

def _signed_in(sb: Sandbox, clock: FakeClock) -> xbox.Client:
    xbl = sync_client(sb, clock)
    xbl.login_device_code(on_code=lambda code: None)
    return xbl


def test_an_expired_xsts_token_is_renewed_by_one_sisu_authorize() -> None:
    clock = FakeClock()
    sb = Sandbox(seed=0, clock=clock, device_code_pending_polls=0)
    with _signed_in(sb, clock) as xbl:
        before = len(sb.requests)
        clock.advance(16 * 3600)  # the XSTS token (16 h) is gone; the MSA token (24 h) is not
        assert xbl.profiles.get("JoeAlcorn").gamertag == "JoeAlcorn"
        renewal = [str(r.url).split("/")[3] for r in sb.requests[before:]][:-1]
        assert renewal == ["sisu.xboxlive.com"]  # the device token (14 days) is still good
        clock.advance(16 * 3600)  # now the MSA token (24 h) too: refreshed first, then SISU
        before = len(sb.requests)
        xbl.profiles.get("JoeAlcorn")
        renewal = [r.url.path for r in sb.requests[before:]][:-1]
        assert [p.split("/")[1] for p in renewal] == ["login.live.com", "sisu.xboxlive.com"]
        assert "grant_type=refresh_token" in sb.requests[before].content.decode()
        key = xbl.auth.session.device.key_pem  # type: ignore[union-attr]
        clock.advance(15 * 86400)  # the device token too: a new one, for the same key
        before = len(sb.requests)
        xbl.profiles.get("JoeAlcorn")
        hosts = [r.url.path.split("/")[1] for r in sb.requests[before:]][:-1]
        assert hosts == ["login.live.com", "device.auth.xboxlive.com", "sisu.xboxlive.com"]
        assert xbl.auth.session.device.key_pem == key  # type: ignore[union-attr]


async def test_concurrent_calls_after_expiry_share_one_sisu_authorize() -> None:
    clock = FakeClock()
    sb = Sandbox(seed=0, clock=clock, device_code_pending_polls=0)
    async with async_client(sb, clock) as xbl:
        await xbl.login_device_code(on_code=lambda code: None)
        clock.advance(16 * 3600)
        before = len(requests_to(sb, "sisu.xboxlive.com", "authorize"))
        await asyncio.gather(*(xbl.profiles.get("JoeAlcorn") for _ in range(10)))
        assert len(requests_to(sb, "sisu.xboxlive.com", "authorize")) == before + 1


def test_a_forgotten_device_token_is_replaced_once() -> None:
    clock = FakeClock()
    sb = Sandbox(seed=0, clock=clock, device_code_pending_polls=0)
    with _signed_in(sb, clock) as xbl:
        session = xbl.auth.session
        assert session is not None and session.device is not None
        sb.tokens.grants[session.device.token.token].revoked = True  # type: ignore[union-attr]
        clock.advance(16 * 3600)
        xbl.profiles.get("JoeAlcorn")
        assert len(requests_to(sb, "device.auth.xboxlive.com")) == 2
        assert len(requests_to(sb, "sisu.xboxlive.com", "authorize")) == 3  # 1, refused, again


def test_a_clock_far_off_gets_a_message_about_the_clock() -> None:
    clock = FakeClock()
    sb = Sandbox(seed=0, clock=clock, device_code_pending_polls=0)
    fast = xbox.Client(base_url=sb.base_url, transport=sb.transport(), sleep=clock.sleep,
                       clock=lambda: clock() + 3600)  # an hour fast
    with fast, pytest.raises(AuthenticationException, match="check this machine's clock") as e:
        fast.login_device_code(on_code=lambda code: None)
    assert e.value.status_code == 403 and e.value.service == "device.auth.xboxlive.com"


# -- other relying parties -------------------------------------------------------------------

def test_xsts_tokens_for_other_relying_parties_are_signed_kept_and_renewed(
        isolated_home: Path) -> None:
    clock = FakeClock()
    sb = Sandbox(seed=0, clock=clock, device_code_pending_polls=0)
    rp = "rp://api.minecraftservices.com/"
    with sync_client(sb, clock) as xbl:
        xbl.login_device_code(on_code=lambda code: None)
        token = xbl.xsts_token(rp)
        assert token.claims == {"uhs": token.uhs or token.claims["uhs"]}  # a game's RP: uhs only
        assert token.authorization.startswith("XBL3.0 x=") and token.token in token.authorization
        [asked] = requests_to(sb, "xsts.auth.xboxlive.com")
        assert json.loads(asked.content)["RelyingParty"] == rp and asked.headers["Signature"]
        assert xbl.xsts_token(rp).token == token.token  # kept: no second request
        assert len(requests_to(sb, "xsts.auth.xboxlive.com")) == 1
        assert xbl.xsts_token().claims["gtg"] == "JoeAlcorn"  # Xbox Live's own, from SISU
    saved = json.loads(TokenStore().path("default").read_text())
    assert set(saved["relying_parties"]) == {rp}
    with sync_client(sb, clock) as again:  # read back from the token file
        assert again.xsts_token(rp).token == token.token
        clock.advance(17 * 3600)
        assert again.xsts_token(rp).token != token.token  # expired: renewed
    with pytest.raises(InvalidArgument, match="relying_party"):
        again.xsts_token("")


def test_a_password_sign_in_asks_other_relying_parties_unsigned() -> None:
    sb = Sandbox(seed=0)
    with sync_client(sb) as xbl:
        xbl.login_password(JOE_EMAIL, JOE_PASSWORD)
        token = xbl.xsts_token("http://accounts.xboxlive.com")
    assert set(token.claims) == {"uhs", "agg"}
    last = requests_to(sb, "xsts.auth.xboxlive.com")[-1]
    assert "Signature" not in last.headers and "DeviceToken" not in json.loads(last.content)[
        "Properties"]


# -- mediahub and the password ---------------------------------------------------------------

def test_mediahub_refuses_a_password_sign_in_and_the_archive_says_what_to_do(
        tmp_path: Path) -> None:
    sb = Sandbox(seed=0, rate_limits=False)
    with sync_client(sb) as xbl, Archive(tmp_path / "archive") as folder:
        xbl.authenticate(JOE_EMAIL, JOE_PASSWORD)
        with pytest.raises(PermissionDenied, match="xbox login"):
            xbl.screenshots.mine().to_list()
        report = folder.archive_user(xbl, "JoeAlcorn", dry_run=True)
    assert not report.ok and set(report.source_errors) == {"mediahub clips", "mediahub screenshots"}
    assert all("xbox login" in why for why in report.source_errors.values())
    assert report.plan.fetch  # the metadata lists still planned what they show


def test_no_secret_reaches_the_request_log_text_of_a_signed_sign_in(
        served_sb: ServedSandbox, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG", logger="xbox")
    with xbox.Client(base_url=served_sb.base_url) as xbl:
        session = xbl.login_device_code(on_code=lambda code: None)
    assert session.msa is not None and session.device is not None
    secrets = [session.msa.access_token, session.msa.refresh_token or "", session.device.key_pem,
               session.xsts.token if session.xsts else ""]
    for record in caplog.records:
        text = record.getMessage()
        assert not any(s and s in text for s in secrets)
    assert os.environ.get("XBOX_HOME")  # the conftest's isolated home, not the user's
