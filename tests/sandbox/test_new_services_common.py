"""What every newer sandbox route shares: a token is required (except the store), and the
same seed gives the same bytes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from xbox.sandbox import JOE_XUID, Sandbox, World
from xbox.sandbox.services.cqs import HEADEND_ID
from xbox.sandbox.world_services import JOE_CONSOLES

CONSOLE = JOE_CONSOLES[0][0]
SOT_SCID = next(t.scid for t in World(seed=0).titles if t.title_id == 1717113201)
READS: list[tuple[str, str, Any]] = [
    ("GET", "/xccs.xboxlive.com/lists/devices", None),
    ("GET", f"/xccs.xboxlive.com/lists/installedApps?deviceId={CONSOLE}", None),
    ("GET", f"/xccs.xboxlive.com/consoles/{CONSOLE}", None),
    ("GET", "/xblmessaging.xboxlive.com/network/Xbox/users/me/inbox", None),
    ("GET", "/peoplehub.xboxlive.com/users/me/people/recommendations", None),
    ("GET", "/peoplehub.xboxlive.com/users/me/people/friends/decoration/detail", None),
    ("POST", "/titlehub.xboxlive.com/titles/batch/decoration/detail",
     {"pfns": ["Microsoft.Halo5Guardians_8wekyb3d8bbwe"]}),
    ("GET", f"/userstats.xboxlive.com/users/xuid({JOE_XUID})/scids/{SOT_SCID}/stats/"
            "MinutesPlayed", None),
    ("POST", "/userstats.xboxlive.com/batch",
     {"groups": [{"name": "Hero", "titleId": "1717113201"}], "stats": [], "xuids": [JOE_XUID]}),
    ("GET", f"/eplists.xboxlive.com/users/xuid({JOE_XUID})/lists/PINS/XBLPins", None),
    ("GET", f"/cqs.xboxlive.com/epg/en-US/lineups/{HEADEND_ID}/channels", None),
]
WRITES: list[tuple[str, str, Any]] = [
    ("POST", "/xccs.xboxlive.com/commands",
     {"destination": "Xbox", "type": "Power", "command": "TurnOff", "sessionId": "s",
      "parameters": [{}], "linkedXboxId": CONSOLE}),
    ("PUT", f"/userpresence.xboxlive.com/users/xuid({JOE_XUID})/state", {"state": "Cloaked"}),
    ("PUT", "/social.xboxlive.com/users/me/people/xuid(2533274800000001)", None),
    ("POST", "/user.mgt.xboxlive.com/gamertags/reserve",
     {"Gamertag": "Anyone", "ReservationId": JOE_XUID}),
    ("POST", "/accounts.xboxlive.com/users/current/profile/gamertag",
     {"gamertag": "Anyone", "reservationId": JOE_XUID}),
]


@pytest.mark.parametrize(("method", "url", "body"), READS + WRITES)
def test_a_token_is_required(method: str, url: str, body: Any) -> None:
    sb = Sandbox(seed=0, rate_limits=False)
    with httpx.Client(base_url=sb.base_url, transport=sb.transport()) as anon:
        assert anon.request(method, url, json=body).status_code == 401
    assert sb.world.joe.presence_state == "Online" and sb.world.joe.gamertag == "JoeAlcorn"


@pytest.mark.parametrize(("method", "url", "body"), [
    *READS, ("GET", "/displaycatalog.mp.microsoft.com/v7.0/productFamilies/autosuggest?query=a",
             None)])
def test_same_seed_same_bytes(method: str, url: str, body: Any) -> None:
    answers = []
    for _ in range(2):
        sb = Sandbox(seed=0, rate_limits=False)
        with httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                          headers={"Authorization": sb.authorization_for()}) as c:
            r = c.request(method, url, json=body)
        assert r.status_code == 200
        answers.append(r.content)
    assert answers[0] == answers[1]
