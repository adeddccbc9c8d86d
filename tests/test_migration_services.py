"""docs/migration.rst maps every method of the peers' smartglass, message, people, presence
and mediahub providers (xbox-webapi 2.1 and python-xbox 0.4, read from their sources) to a
call of ours; test_docs checks that each call of ours exists."""

from __future__ import annotations

from pathlib import Path

import pytest

PAGE = (Path(__file__).resolve().parent.parent / "docs" / "migration.rst").read_text(
    encoding="utf-8")

PEER_METHODS = {
    "smartglass": ["get_console_list", "get_installed_apps", "get_storage_devices",
                   "get_console_status", "get_op_status", "wake_up", "turn_off", "reboot",
                   "mute", "unmute", "volume", "play", "pause", "previous", "next", "go_home",
                   "go_back", "show_guide_tab", "press_button", "insert_text", "launch_app",
                   "show_tv_guide"],
    "message": ["get_inbox", "get_conversation", "delete_conversation", "delete_message",
                "send_message"],
    "people": ["get_friends_own", "get_friends_by_xuid", "get_profile_by_xuid",
               "get_friends_own_batch", "get_friend_recommendations", "get_friends_summary_own",
               "get_friends_summary_by_xuid", "get_friends_summary_by_gamertag"],
    "presence": ["get_presence", "get_presence_batch", "get_presence_own", "set_presence_own"],
    "mediahub": ["fetch_own_clips", "fetch_own_screenshots"],
}


@pytest.mark.parametrize("provider,method",
                         [(p, m) for p, methods in PEER_METHODS.items() for m in methods])
def test_every_peer_method_has_a_row(provider: str, method: str) -> None:
    rows = [line for line in PAGE.splitlines() if f'"``{provider}.{method}(' in line]
    assert rows, f"docs/migration.rst has no row for {provider}.{method}"
    assert all('", "``xbl.' in row for row in rows)  # each maps to a call of ours
