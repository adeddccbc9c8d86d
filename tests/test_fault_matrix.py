"""The fault matrix: every fault of the sandbox's fault layer (``xbox.sandbox.FaultKind``), once,
against every kind of call, over a real socket. Each cell must end as documented in
docs/reliability.rst: retried and succeeded, or one typed ``XboxException``, and nothing
saved wrongly (no file that is not the capture's bytes, no write sent twice).

The faults hit the first matching request only (``times=1``): a call that may be retried
then succeeds, so the table shows what was retried. Waits are short (0.3 s hangs against a
0.2 s read timeout and a 0.2 s download stall timeout) and the client never sleeps between
attempts, so the whole matrix runs in well under a minute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

import xbox
from xbox import RetryPolicy
from xbox.auth.store import TokenStore
from xbox.exceptions import (
    AuthenticationException,
    DownloadError,
    MalformedResponse,
    PermissionDenied,
    ServerError,
    ServiceUnavailable,
    TransportError,
    XboxException,
)
from xbox.sandbox import JOE_EMAIL, JOE_PASSWORD, JOE_XUID, Fault, FaultKind, Sandbox, ServedSandbox
from xbox.sandbox.world_services import services_world

K = FaultKind
OK = "ok"


@dataclass(frozen=True)
class Op:
    """One kind of call: where its fault goes, how to make the call, and what it returns."""

    host: str
    path: str
    run: Callable[[xbox.Client, Sandbox, Path], Any]
    #: kind -> outcome where this op differs from DEFAULT (an exception class, or OK)
    outcomes: dict[FaultKind, Any]
    signed_in: bool = True


# What a GET (and any call that is safe to repeat) ends with. Made-up answers (5xx, 429,
# a transport error) and damaged ones (resets, cut bodies, hangs) are retried; an answer
# that arrived whole but is not what was asked for (cut JSON, a captive portal's page,
# gzip that does not inflate, a 403) is reported: sending it again would not help.
DEFAULT: dict[FaultKind, Any] = {
    K.STATUS: OK, K.SERVER_ERROR: OK, K.RATE_LIMITED: OK, K.RATE_LIMITED_NO_RETRY_AFTER: OK,
    K.INVALID_JSON: MalformedResponse, K.HTML: MalformedResponse,
    K.CORRUPT_GZIP: MalformedResponse, K.EXPIRED_SIGNATURE: PermissionDenied,
    K.TRANSPORT_ERROR: OK, K.RESET: OK, K.RESET_MID_BODY: OK, K.TRUNCATED: OK,
    K.CONTENT_LENGTH_SHORT: MalformedResponse, K.CONTENT_LENGTH_LONG: OK,
    K.HANG_HEADERS: OK, K.HANG_BODY: OK, K.SLOW_DRIP: OK, K.DELAY: OK,
}
assert set(DEFAULT) == set(FaultKind)  # a new fault kind must be given its outcomes here


def _other_user(sb: Sandbox) -> str:
    return next(a.xuid for a in sb.world.by_xuid.values() if a.xuid != JOE_XUID)


def _send_message(xbl: xbox.Client, sb: Sandbox, tmp: Path) -> Any:
    return xbl.request("POST", "xblmessaging.xboxlive.com",
                       f"/network/Xbox/users/me/conversations/users/xuid({_other_user(sb)})",
                       contract_version=1,
                       json={"parts": [{"contentType": "text", "version": 0, "text": "gg"}]})


def _download(xbl: xbox.Client, sb: Sandbox, tmp: Path) -> Any:
    shot = xbl.screenshots.recent(limit=1).to_list()[0]
    return xbl.download(shot, tmp / "shot.png"), shot


OPS: dict[str, Op] = {
    "GET": Op("profile.xboxlive.com", "/users/xuid(",
              lambda xbl, sb, tmp: xbl.profiles.get(xuid=JOE_XUID), {}),
    "idempotent POST": Op("profile.xboxlive.com", "/users/batch",
                          lambda xbl, sb, tmp: xbl.profiles.batch([JOE_XUID]), {}),
    # A write: sent once, never again, whatever happens after the server has it.
    "POST": Op("xblmessaging.xboxlive.com", "/conversations/users/", _send_message, {
        K.STATUS: ServerError, K.SERVER_ERROR: ServerError,
        K.TRANSPORT_ERROR: TransportError, K.RESET: TransportError,
        K.RESET_MID_BODY: TransportError, K.TRUNCATED: TransportError,
        K.CONTENT_LENGTH_LONG: TransportError, K.HANG_HEADERS: TransportError,
        K.HANG_BODY: TransportError, K.DELAY: TransportError}),
    # Sign-in steps: the same rules, but an unreadable answer is an outage, not a refusal.
    "sign-in (XSTS)": Op("xsts.auth.xboxlive.com", "/xsts/authorize",
                         lambda xbl, sb, tmp: xbl.login_password(JOE_EMAIL, JOE_PASSWORD), {
                             K.INVALID_JSON: ServiceUnavailable, K.HTML: ServiceUnavailable,
                             K.CORRUPT_GZIP: ServiceUnavailable,
                             K.CONTENT_LENGTH_SHORT: ServiceUnavailable,
                             K.EXPIRED_SIGNATURE: AuthenticationException},
                         signed_in=False),
    "sign-in (SISU, signed)": Op("sisu.xboxlive.com", "/authorize",
                                 lambda xbl, sb, tmp: xbl.login_device_code(
                                     on_code=lambda code: None), {
                                     K.INVALID_JSON: ServiceUnavailable,
                                     K.HTML: ServiceUnavailable,
                                     K.CORRUPT_GZIP: ServiceUnavailable,
                                     K.CONTENT_LENGTH_SHORT: ServiceUnavailable,
                                     K.EXPIRED_SIGNATURE: AuthenticationException},
                                 signed_in=False),
    # Media: resumed with Range, a fresh signed URL after a 403, never an error page saved.
    "download": Op("", "", _download, {
        K.INVALID_JSON: DownloadError, K.HTML: DownloadError, K.CORRUPT_GZIP: DownloadError,
        K.EXPIRED_SIGNATURE: OK, K.CONTENT_LENGTH_SHORT: OK}),
}


@pytest.fixture(scope="module")
def served() -> Iterator[ServedSandbox]:
    with Sandbox(seed=0, device_code_pending_polls=0, rate_limits=False).serve() as s:
        yield s


def _fault(kind: FaultKind, host: str, path: str) -> Fault:
    return Fault(kind=kind, times=1, host=host, path_contains=path or None, seconds=0.3,
                 rate=50_000, retry_after=0.05, at=10)


def _media_host(xbl: xbox.Client) -> str:
    shot = xbl.screenshots.recent(limit=1).to_list()[0]
    assert shot.download is not None
    return shot.download.uri.split("/")[2]


@pytest.mark.parametrize("kind", list(FaultKind))
@pytest.mark.parametrize("op_name", list(OPS))
def test_every_fault_on_every_kind_of_call(op_name: str, kind: FaultKind, served: ServedSandbox,
                                           tmp_path: Path) -> None:
    op, sb = OPS[op_name], served.sandbox
    sb.faults.clear()
    expected = op.outcomes.get(kind, DEFAULT[kind])
    retry = RetryPolicy(backoff=0.01, max_backoff=0.01, stall_timeout=0.2, max_total=20)
    if op.signed_in:
        # Signed in beforehand, with the usual timeouts, into this test's token store: the
        # sign-in is not the call under test, and under 0.2 s timeouts on a loaded machine a
        # device-code poll whose answer came late was sent again after the code was used.
        with xbox.Client(base_url=served.base_url) as first:
            first.login_device_code(on_code=lambda code: None)
    with xbox.Client(base_url=served.base_url, token_store=TokenStore() if op.signed_in else None,
                     timeout=0.2, retry=retry, sleep=lambda seconds: None) as xbl:
        host = op.host or _media_host(xbl)
        messages_before = _messages(sb)
        sb.faults.append(_fault(kind, host, op.path))
        try:
            result = op.run(xbl, sb, tmp_path)
        except XboxException as exc:
            outcome: Any = exc
        else:
            outcome = OK
        finally:
            sb.faults.clear()
    if expected is OK:
        assert outcome == OK, f"{op_name} + {kind}: {outcome!r}"
    else:
        assert isinstance(outcome, expected), f"{op_name} + {kind}: {outcome!r}"
        assert not isinstance(outcome, (httpx.HTTPError,))
    if op_name == "POST":
        # The message exists once when the call succeeded, at most once when it failed:
        # never a second copy from a resend.
        written = _messages(sb) - messages_before
        assert written == 1 if outcome == OK else written <= 1, f"{kind}: {written} messages"
    if op_name == "download":
        dest = tmp_path / "shot.png"
        if outcome == OK:
            saved, shot = result
            assert dest.read_bytes() == sb.world.captures_by_id[shot.id].media_bytes()
            assert saved.size == dest.stat().st_size
        else:
            assert not dest.exists(), "a file that is not the capture's was saved"


def _messages(sb: Sandbox) -> int:
    conversation = services_world(sb).conversation_with(JOE_XUID, _other_user(sb))
    return len(conversation.messages) if conversation is not None else 0
