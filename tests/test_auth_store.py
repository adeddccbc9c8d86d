"""The token store: permissions, account names, and corrupt files reported, never overwritten."""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

import xbox
import xbox.auth.store
from tests.auth_helpers import (
    PROFILE,
    FakeClock,
    async_client,
    form,
    profile_params,
    requests_to,
    sync_client,
)
from tests.cli_helpers import cli_sandbox
from xbox.auth.store import TokenStore
from xbox.cli import cli
from xbox.exceptions import SessionNotSaved, TokenStoreError
from xbox.sandbox import Sandbox, ServedSandbox
from xbox.sandbox._tokens import Lifetimes
from xbox.sandbox.world import JOE_EMAIL, JOE_PASSWORD

# These tests are about the store, not device-code polling: the sandbox approves at once.
FAST = {"device_code_pending_polls": 0}


async def _sign_in(sb: Sandbox) -> dict[str, object]:
    async with async_client(sb) as xbl:
        await xbl.login_device_code(on_code=lambda code: None)
    path = TokenStore().path("default")
    data: dict[str, object] = json.loads(path.read_text())
    return data


@pytest.mark.skipif(not hasattr(__import__("os"), "getuid"), reason="POSIX permissions")
async def test_file_is_0600_and_folders_0700(isolated_home: Path) -> None:
    await _sign_in(Sandbox(**FAST))
    path = isolated_home / "accounts" / "default.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(isolated_home.stat().st_mode) == 0o700


@pytest.mark.skipif(not hasattr(__import__("os"), "getuid"), reason="POSIX permissions")
async def test_an_existing_home_folder_keeps_its_mode(isolated_home: Path) -> None:
    # XBOX_HOME pointed at a folder of the user's (their project, a shared mount): the store
    # makes its own private subfolder there, and leaves the folder itself alone.
    isolated_home.mkdir(mode=0o755)
    os.chmod(isolated_home, 0o755)
    await _sign_in(Sandbox(**FAST))
    assert stat.S_IMODE(isolated_home.stat().st_mode) == 0o755
    assert stat.S_IMODE((isolated_home / "accounts").stat().st_mode) == 0o700


@pytest.mark.skipif(not hasattr(__import__("os"), "getuid"), reason="POSIX permissions")
async def test_a_token_file_others_can_read_is_used_with_a_warning(isolated_home: Path) -> None:
    await _sign_in(Sandbox(**FAST))
    path = isolated_home / "accounts" / "default.json"
    os.chmod(path, 0o644)
    with pytest.warns(UserWarning, match=r"can be read by other users \(mode 0644\); run `chmod 600"):
        session = TokenStore().load("default")
    assert session is not None and session.gamertag == "JoeAlcorn"


def _truncated(text: str) -> str:
    return text[: len(text) // 2]


def _hand_edited_type(text: str) -> str:
    data = json.loads(text)
    data["xsts"]["expires_at"] = "tomorrow"
    return json.dumps(data)


def _foreign(text: str) -> str:
    return json.dumps({"access_token": "from another tool"})


def _future_version(text: str) -> str:
    data = json.loads(text)
    data["version"] = 99
    return json.dumps(data)


def _extra_field(text: str) -> str:
    data = json.loads(text)
    data["msa"]["colour"] = "blue"
    return json.dumps(data)


@pytest.mark.parametrize("damage", [
    _truncated, _hand_edited_type, _foreign, _future_version, _extra_field,
    lambda text: "", lambda text: "[]", lambda text: "\x00\xff not json",
])
async def test_a_damaged_file_is_reported_with_its_path_and_never_overwritten(
        damage: object) -> None:
    sb = Sandbox(**FAST)
    await _sign_in(sb)
    path = TokenStore().path("default")
    damaged = damage(path.read_text())  # type: ignore[operator]
    path.write_text(damaged, encoding="utf-8", errors="surrogateescape")
    async with async_client(sb) as xbl:
        with pytest.raises(TokenStoreError) as info:
            await xbl.whoami()
        assert info.value.path == str(path) and str(path) in str(info.value)
        with pytest.raises(TokenStoreError) as again:  # still, not "not signed in"
            await xbl.request("GET", "profile.xboxlive.com", "/users/me/profile/settings",
                              contract_version=2, params={"settings": "Gamertag"})
        assert str(path) in str(again.value)
        # A new sign-in does not silently replace it either.
        with pytest.raises(TokenStoreError, match="refusing to overwrite"):
            await xbl.login_password(JOE_EMAIL, JOE_PASSWORD)
    assert path.read_text(encoding="utf-8", errors="surrogateescape") == damaged
    # Deleting it (what the message says to do) lets the user sign in again.
    path.unlink()
    async with async_client(sb) as xbl:
        await xbl.login_password(JOE_EMAIL, JOE_PASSWORD)
    assert TokenStore().load("default") is not None


@pytest.mark.parametrize("name", ["../evil", "a/b", "", ".hidden", "x" * 65, "nul\x00"])
def test_bad_account_names_are_refused_up_front(name: str) -> None:
    with pytest.raises(ValueError, match="account name"):
        xbox.Client(account=name)
    with pytest.raises(ValueError):
        TokenStore().path(name)


def test_accounts_lists_saved_accounts_only(isolated_home: Path) -> None:
    assert TokenStore().accounts() == []
    sb = Sandbox()
    for name in ("work", "home.2", "joe@example.org"):
        with xbox.Client(base_url=sb.base_url, transport=sb.transport(), account=name) as xbl:
            xbl.login_password(JOE_EMAIL, JOE_PASSWORD)
    assert TokenStore().accounts() == ["home.2", "joe@example.org", "work"]
    assert TokenStore(isolated_home).accounts() == TokenStore().accounts()
    assert TokenStore().delete("work") is True
    assert TokenStore().delete("work") is False
    assert TokenStore().accounts() == ["home.2", "joe@example.org"]


def test_memory_only_client_writes_nothing(isolated_home: Path) -> None:
    sb = Sandbox()
    with xbox.Client(base_url=sb.base_url, transport=sb.transport(), token_store=None) as xbl:
        xbl.login_password(JOE_EMAIL, JOE_PASSWORD)
        assert xbl.whoami()["gamertag"] == "JoeAlcorn"
    assert not (isolated_home / "accounts").exists()


# -- a disk that cannot take the renewed tokens (issue 21) -------------------------------------

def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The token store's folder is on a full disk: no new file can be made there."""
    def mkstemp(*args: object, **kwargs: object) -> tuple[int, str]:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(xbox.auth.store, "tempfile", SimpleNamespace(mkstemp=mkstemp))


def _refreshes(sb: Sandbox) -> int:
    return sum(1 for r in requests_to(sb, "login.live.com", "oauth20_token.srf")
               if form(r).get("grant_type") == "refresh_token")


def test_a_renewal_the_disk_cannot_save_keeps_working_and_says_so(
        isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    sb = Sandbox(clock=clock, lifetimes=Lifetimes(msa_legacy=3 * 3600, user=2 * 3600, xsts=3600))
    with sync_client(sb, clock) as xbl:
        xbl.login_device_code(on_code=lambda code: None, flow="plain")
        saved = TokenStore().load("default")
        clock.advance(3 * 3600)  # every token expired: the next call renews them
        _full_disk(monkeypatch)
        with pytest.warns(SessionNotSaved, match="No space left on device"):
            xbl.request("GET", *PROFILE, contract_version=2, params=profile_params())
        assert _refreshes(sb) == 1
        # The renewed session goes on working in memory: no second renewal.
        xbl.request("GET", *PROFILE, contract_version=2, params=profile_params())
        assert _refreshes(sb) == 1
    assert TokenStore().load("default") == saved  # the file as it was: never half-written


def test_the_command_line_says_a_disk_error_is_one_never_a_refused_sign_in(
        isolated_home: Path, served_short: ServedSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    with xbox.Client(base_url=served_short.base_url) as xbl:
        xbl.login_device_code(on_code=lambda code: None, flow="plain")
    # The XSTS token (1 s) is within the refresh margin already: the command renews it.
    _full_disk(monkeypatch)
    env = {"XBOX_LIVE_BASE_URL": served_short.base_url}
    renewed = CliRunner().invoke(cli, ["profile", "JoeAlcorn"], env=env, catch_exceptions=False)
    assert renewed.exit_code == 0, renewed.output  # not 4: nobody refused the sign-in
    assert "warning: the renewed sign-in could not be saved" in renewed.stderr
    assert "No space left on device" in renewed.stderr
    # A sign-in that cannot be saved at all is a disk error too: exit 1, said so.
    fresh = CliRunner().invoke(cli, ["--sandbox", "whoami"], obj=cli_sandbox(),
                               catch_exceptions=False)
    assert fresh.exit_code == 1, fresh.output
    assert "cannot write the token file" in fresh.stderr and "No space left" in fresh.stderr


@pytest.fixture
def served_short() -> Iterator[ServedSandbox]:
    """The sandbox on 127.0.0.1, its XSTS tokens good for one second."""
    sb = Sandbox(seed=0, lifetimes=Lifetimes(xsts=1), device_code_pending_polls=0)
    with sb.serve() as served:
        yield served
