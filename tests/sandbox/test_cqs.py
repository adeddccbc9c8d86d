"""cqs.xboxlive.com TV listings against the two cqs recordings."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fidelity import assert_same_shape, recorded
from xbox.sandbox.services.cqs import HEADEND_ID

EPG = f"/cqs.xboxlive.com/epg/en-US/lineups/{HEADEND_ID}"
HEADERS = {"x-xbl-contract-version": "1.b", "x-xbl-client-type": "Companion",
           "x-xbl-device-type": "WindowsPhone"}
WINDOW = {"startDate": "2026-11-01T20:10:00.000Z", "durationMinutes": 120, "channelSkip": 0,
          "channelCount": 6, "desired": "vesper_mobile_schedule"}

API_HEADERS = HEADERS  # the api fixture's (conftest.py)


def test_channel_list_matches_recording(api: httpx.Client) -> None:
    r = api.get(f"{EPG}/channels", params={"desired": "vesper_mobile_lineup"})
    assert r.status_code == 200
    body = r.json()
    want = recorded("cqs_get_channel_list.json")["Channels"]
    for channel in body["Channels"]:  # IsHD is only on HD channels, in both
        twin = next(c for c in want if set(c) == set(channel))
        assert_same_shape(channel, twin)
    assert {"IsHD" in c for c in body["Channels"]} == {True, False}


def test_schedule_matches_recording(api: httpx.Client) -> None:
    r = api.get(f"{EPG}/programs", params=WINDOW)
    assert r.status_code == 200
    body = r.json()
    want = recorded("cqs_get_schedule.json")["Channels"]
    layouts = {tuple(p): p for c in want for p in c["Programs"]}
    for channel in body["Channels"]:
        assert_same_shape({**channel, "Programs": []}, {**want[0], "Programs": []})
        assert channel["Programs"]
        for program in channel["Programs"]:
            assert tuple(program) in layouts, sorted(program)
            assert_same_shape(program, layouts[tuple(program)])
            assert program["StartDate"] < "2026-11-01T22:10:00Z"
            assert program["EndDate"] > "2026-11-01T20:10:00Z"
    news: list[dict[str, Any]] = body["Channels"][0]["Programs"]
    assert news[0]["StartDate"] == "2026-11-01T20:00:00Z" and len(news) == 5
    page = api.get(f"{EPG}/programs", params={**WINDOW, "channelSkip": 2, "channelCount": 2})
    assert [c["Name"] for c in page.json()["Channels"]] == [c["Name"] for c in
                                                            body["Channels"][2:4]]


def test_refusals(api: httpx.Client) -> None:
    assert api.get("/cqs.xboxlive.com/epg/en-US/lineups/NOPE/channels").status_code == 404
    assert api.get(f"{EPG}/programs", params={"durationMinutes": 60}).status_code == 400
    assert api.get(f"{EPG}/channels", headers={"x-xbl-contract-version": "2"}).status_code == 406
