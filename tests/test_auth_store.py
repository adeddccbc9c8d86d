"""The token store: permissions, account names, and corrupt files reported, never overwritten."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

import xbox
from tests.auth_helpers import async_client
from xbox.auth.store import TokenStore
from xbox.exceptions import TokenStoreError
from xbox.sandbox import Sandbox
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
