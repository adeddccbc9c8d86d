"""The commands of the newer services: stats, store, pins, gamertag, achievements --360,
for people and with --json, each against the sandbox (``--sandbox``)."""

from __future__ import annotations

import pytest

from xbox.cli import gamertag as gamertag_cli
from xbox.sandbox import JOE_GAMERTAG, JOE_XUID, Fault, Sandbox

from .test_cli import run, run_json

SOT = 1717113201
HERO = ["ChestsCashedIn", "DistanceSailed", "VoyagesCompleted", "BountiesHandedIn",
        "CargoDelivered", "IslandsVisited"]


# -- stats ----------------------------------------------------------------------------------

@pytest.mark.parametrize("title", [str(SOT), "sea of thieves", "Sea"])
def test_stats_by_title_id_or_name(title: str) -> None:
    data = run_json("stats", JOE_GAMERTAG, title)
    assert [s["name"] for s in data] == [*HERO, "MinutesPlayed"]
    assert all(isinstance(s["value"], int) and s["xuid"] == JOE_XUID and s["title_id"] == SOT
               for s in data)
    assert data[1]["display_name"] == "Distance Sailed (Metres)" and "raw" in data[1]


def test_stats_human_and_by_scid() -> None:
    scid = run_json("stats", JOE_GAMERTAG, str(SOT))[0]["scid"]
    human = run("--sandbox", "stats", JOE_GAMERTAG, scid, "--stat", "MinutesPlayed",
                "--stat", "IslandsVisited")
    assert human.exit_code == 0, human.stderr
    assert f"stats of {JOE_GAMERTAG} in Sea of Thieves" in human.stderr
    assert "Distance Sailed (Metres)\tDistanceSailed\t" in human.stdout
    assert human.stdout.count("IslandsVisited") == 1  # asked twice, shown once


def test_stats_of_an_unknown_title_exits_3() -> None:
    result = run("--sandbox", "stats", JOE_GAMERTAG, "No Such Game")
    assert result.exit_code == 3 and "No title 'No Such Game'" in result.stderr
    ambiguous = run("--sandbox", "stats", JOE_GAMERTAG, "a")
    assert ambiguous.exit_code == 3 and "matches several titles" in ambiguous.stderr


# -- store ----------------------------------------------------------------------------------

def test_store_search_and_show() -> None:
    found = run_json("store", "search", "halo")
    assert [p["title"] for p in found] == ["Halo 5: Guardians", "Halo Infinite"]
    assert found[0]["type"] == "Game" and found[0]["raw"]["ProductId"] == found[0]["id"]
    shown = run_json("store", "show", found[0]["id"], "4DF9E0F8.Netflix_mcm4njqhnhss8", str(SOT))
    assert [p["title"] for p in shown] == ["Halo 5: Guardians", "Netflix", "Sea of Thieves"]
    assert shown[0]["title_id"] == 219630713 and shown[1]["pfn"] == "4DF9E0F8.Netflix_mcm4njqhnhss8"
    human = run("--sandbox", "store", "show", "9WZDNCRFJ3TJ")
    assert "Title\tNetflix" in human.stdout and "Price\t0.00 USD" in human.stdout


def test_store_sends_no_token_and_needs_no_sign_in() -> None:
    sb = Sandbox(seed=0)
    result = run("--sandbox", "store", "search", "halo", sandbox=sb)
    assert result.exit_code == 0, result.stderr
    assert sb.requests and all("displaycatalog" in str(r.url) for r in sb.requests)
    assert all("authorization" not in r.headers for r in sb.requests)


def test_store_show_unknown_id_exits_3() -> None:
    result = run("--sandbox", "store", "show", "NOSUCHID0000")
    assert result.exit_code == 3 and "No product 'NOSUCHID0000'" in result.stderr


# -- pins -----------------------------------------------------------------------------------

def test_pins_list_add_remove() -> None:
    sb = Sandbox(seed=0)
    listed = run_json("pins", sandbox=sb)
    assert [p["title"] for p in listed] == ["TV", "Netflix", "Halo 5: Guardians"]
    assert listed[0]["type"] == "DApp" and listed[0]["raw"]["Item"]["ItemId"] == listed[0]["id"]
    dry = run_json("pins", "add", "2030093255", "--dry-run", sandbox=sb)
    assert dry["dry_run"] is True and dry["items"][0]["Title"] == "Minecraft"
    assert len(run_json("pins", sandbox=sb)) == 3  # a dry run changes nothing
    added = run("--sandbox", "pins", "add", "2030093255", sandbox=sb)
    assert added.exit_code == 0 and "pinned Minecraft; 4 pins" in added.stderr
    app = run_json("pins", "add", "Contoso.App_1", "--title", "Contoso", sandbox=sb)
    assert app["items"] == [{"ItemId": "Contoso.App_1", "ContentType": "DApp",
                             "Title": "Contoso", "DeviceType": "XboxOne"}]
    assert [p["title"] for p in run_json("pins", sandbox=sb)][-2:] == ["Minecraft", "Contoso"]
    removed = run_json("pins", "remove", "2030093255", "Contoso.App_1", sandbox=sb)
    assert removed["count"] == 3 and removed["dry_run"] is False
    missing = run("--sandbox", "pins", "remove", "Contoso.App_1", sandbox=sb)
    assert missing.exit_code == 3 and "is not pinned" in missing.stderr


def test_pins_add_is_not_retried() -> None:
    sb = Sandbox(seed=0)
    sb.faults.append(Fault(kind="server_error", host="eplists.xboxlive.com", method="POST",
                           times=5))
    result = run("--sandbox", "pins", "add", "2030093255", sandbox=sb)
    assert result.exit_code == 1 and "server error" in result.stderr
    assert len([r for r in sb.requests if "eplists" in str(r.url) and r.method == "POST"]) == 1


# -- gamertag -------------------------------------------------------------------------------

def test_gamertag_check() -> None:
    assert run_json("gamertag", "check", "Fresh Name") == {"gamertag": "Fresh Name",
                                                           "available": True}
    sb = Sandbox(seed=0)
    taken = sb.world.by_xuid[sb.world.joe.friends[0]].gamertag
    assert run_json("gamertag", "check", taken, sandbox=sb)["available"] is False
    human = run("--sandbox", "gamertag", "check", taken, sandbox=sb)
    assert human.exit_code == 0 and human.stdout.strip() == f"{taken} is taken"
    assert run("--sandbox", "gamertag", "check", JOE_GAMERTAG).stdout.strip() == \
        "JoeAlcorn is yours already"
    bad = run("--sandbox", "gamertag", "check", "x" * 30)
    assert bad.exit_code == 2


def test_gamertag_claim_needs_yes_without_a_terminal() -> None:
    sb = Sandbox(seed=0)
    result = run("--sandbox", "gamertag", "claim", "Fresh Name", sandbox=sb)
    assert result.exit_code == 2 and "pass --yes" in result.stderr
    assert sb.world.joe.gamertag == JOE_GAMERTAG and not sb.requests  # nothing was sent


def test_gamertag_claim_dry_run_then_yes() -> None:
    sb = Sandbox(seed=0)
    dry = run_json("gamertag", "claim", "Fresh Name", "--dry-run", sandbox=sb)
    assert dry == {"gamertag": "Fresh Name", "previous": JOE_GAMERTAG, "changed": False,
                   "dry_run": True}
    assert sb.world.joe.gamertag == JOE_GAMERTAG
    done = run("--sandbox", "gamertag", "claim", "Fresh Name", "--yes", sandbox=sb)
    assert done.exit_code == 0, done.stderr
    assert done.stdout.strip() == f"Your gamertag is now Fresh Name (was {JOE_GAMERTAG})"
    assert sb.world.joe.gamertag == "Fresh Name"
    profile = run_json("profile", JOE_XUID, sandbox=sb)
    assert profile[0]["gamertag"] == "Fresh Name"
    again = run("--sandbox", "gamertag", "claim", "Other Name", "--yes", sandbox=sb)
    assert again.exit_code == 1 and "No free gamertag changes" in again.stderr


def test_gamertag_claim_asks_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gamertag_cli, "interactive", lambda: True)
    sb = Sandbox(seed=0)
    refused = run("--sandbox", "gamertag", "claim", "Fresh Name", sandbox=sb, input="n\n")
    assert refused.exit_code == 1 and "Change your gamertag from JoeAlcorn to Fresh Name?" \
        in refused.stderr
    assert sb.world.joe.gamertag == JOE_GAMERTAG
    assert not [r for r in sb.requests if "accounts.xboxlive.com" in str(r.url)]
    agreed = run("--sandbox", "gamertag", "claim", "Fresh Name", sandbox=sb, input="y\n")
    assert agreed.exit_code == 0 and sb.world.joe.gamertag == "Fresh Name"


def test_gamertag_claim_of_a_taken_name_asks_nothing() -> None:
    sb = Sandbox(seed=0)
    taken = sb.world.by_xuid[sb.world.joe.friends[0]].gamertag
    result = run("--sandbox", "gamertag", "claim", taken, "--yes", sandbox=sb)
    assert result.exit_code == 1 and f"{taken} is taken" in result.stderr


# -- achievements --360 ---------------------------------------------------------------------

def test_achievements_360() -> None:
    every = run_json("achievements", JOE_GAMERTAG, "--360")
    assert every and {a["progress_state"] for a in every} == {None}
    unlocked = [a["unlocked_at"] for a in every if a["unlocked"]]
    assert unlocked == sorted(unlocked, reverse=True)  # newest unlock first
    hexic = run_json("achievements", JOE_GAMERTAG, "--360", "--title", "1297290392")
    assert len(hexic) == 15 and {a["title"] for a in hexic} == {"Hexic HD"}
    assert {a["id"] for a in hexic} == {str(a["raw"]["id"]) for a in hexic}
    human = run("--sandbox", "achievements", JOE_GAMERTAG, "--360", "--limit", "2")
    assert human.exit_code == 0 and "Xbox 360 achievements unlocked by JoeAlcorn" in human.stderr
    assert len(human.stdout.splitlines()) == 2
