"""No secret ever reaches a log line, a repr, an exception's text or the test's output."""

from __future__ import annotations

import logging

import pytest

import xbox
from tests.auth_helpers import FakeClock
from xbox.auth.flows import DeviceCode
from xbox.auth.store import TokenStore
from xbox.exceptions import AuthenticationException, XboxException
from xbox.sandbox import Sandbox
from xbox.sandbox._tokens import Lifetimes
from xbox.sandbox.world import JOE_EMAIL, JOE_PASSWORD

WRONG_PASSWORD = "correct-horse-battery-staple"
CLIENT_SECRET = "s3cr3t-azure-app-value"


def test_nothing_secret_in_logs_reprs_or_errors(caplog: pytest.LogCaptureFixture,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("xbox", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    clock = FakeClock(start=__import__("time").time())
    sb = Sandbox(clock=clock, lifetimes=Lifetimes(msa_legacy=3600, user=3600, xsts=3600))
    seen: list[str] = []
    codes: list[DeviceCode] = []
    errors: list[XboxException] = []
    with sb.serve() as served, xbox.Client(base_url=served.base_url, clock=clock,
                                           sleep=clock.sleep) as xbl:
        session = xbl.login_device_code(on_code=codes.append)
        # Put an app secret on the session too, to check it is hidden like the tokens.
        session.client_secret = CLIENT_SECRET
        clock.advance(2 * 3600)  # every token expired: the whole refresh chain runs
        xbl.request("GET", "profile.xboxlive.com", "/users/me/profile/settings",
                    contract_version=2, params={"settings": "Gamertag"})
        session = xbl.auth.session
        assert session is not None and session.msa and session.user and session.xsts
        whoami = repr(xbl.whoami())
        shown = [repr(xbl), str(xbl)]
        for login, password in ((JOE_EMAIL, WRONG_PASSWORD), ("child@example.org", JOE_PASSWORD),
                                ("twofactor@example.org", JOE_PASSWORD)):
            try:
                xbl.login_password(login, password)
            except AuthenticationException as exc:
                errors.append(exc)
        seen += [*shown, repr(xbl), repr(session), repr(session.msa), repr(session.user),
                 repr(session.xsts), repr(codes[0]), str(codes[0]), whoami]
    assert len(errors) == 3
    seen += [str(e) for e in errors] + [repr(e) for e in errors]
    stored = TokenStore().load("default")
    assert stored is not None and stored.msa is not None
    seen += [repr(stored), repr(stored.msa)]
    out, err = capsys.readouterr()
    seen += [out, err]
    seen += [record.getMessage() for record in caplog.records]
    text = "\n".join(seen)

    secrets = [t for t in sb.tokens.grants] + [codes[0].device_code, JOE_PASSWORD,
                                               WRONG_PASSWORD, CLIENT_SECRET]
    assert sum(g.kind == "refresh" for g in sb.tokens.grants.values()) >= 2  # did refresh
    assert len(caplog.records) > 10  # the loggers really were listening
    assert "(b'location', b'<redacted>')" in text  # httpcore's header dump, cleaned
    for secret in secrets:
        assert secret not in text
        # Tokens travel percent-encoded in URLs: look for their first stretch too.
        assert secret[:40] not in text or len(secret) < 40
