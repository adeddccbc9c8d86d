"""Presence writes (``PUT /users/xuid(x)/state``); every service's contract versions are
tests/sandbox/test_contracts.py's."""

from __future__ import annotations

import httpx

from xbox.sandbox import JOE_XUID, Sandbox

PRES = "/userpresence.xboxlive.com"
V3 = {"x-xbl-contract-version": "3", "Accept": "application/json"}

API_HEADERS = V3  # the api fixture's (conftest.py)


def test_cloaked_then_active_changes_every_read(sb: Sandbox, api: httpx.Client) -> None:
    assert api.get(f"{PRES}/users/me").json()["state"] == "Online"
    url = f"{PRES}/users/xuid({JOE_XUID})/state"
    r = api.put(url, json={"state": "Cloaked"})
    assert r.status_code == 200 and r.content == b""
    assert api.put(url, json={"state": "Cloaked"}).status_code == 200  # idempotent
    me = api.get(f"{PRES}/users/me", params={"level": "all"}).json()
    assert me["state"] == "Offline" and "devices" not in me
    batch = api.post(f"{PRES}/users/batch", json={"users": [JOE_XUID], "onlineOnly": True})
    assert batch.json() == []
    # Friends see it too, in peoplehub.
    friend = sb.world.by_xuid[sb.world.joe.friends[0]]
    with httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                      headers={"Authorization": sb.authorization_for(friend.email or "")}) as f:
        seen = f.post("/peoplehub.xboxlive.com/users/me/people/batch",
                      json={"xuids": [JOE_XUID]}).json()["people"][0]
        assert seen["presenceState"] == "Offline"
    api.put(url, json={"state": "Active"})
    assert api.get(f"{PRES}/users/me").json()["state"] == "Online"


def test_state_write_refusals(sb: Sandbox, api: httpx.Client) -> None:
    other = sb.world.joe.friends[0]
    assert api.put(f"{PRES}/users/xuid({other})/state",
                   json={"state": "Active"}).status_code == 403
    assert api.put(f"{PRES}/users/xuid({JOE_XUID})/state",
                   json={"state": "Busy"}).status_code == 400
    assert api.put(f"{PRES}/users/xuid({JOE_XUID})/state", content=b"nope").status_code == 400
    assert api.put(f"{PRES}/users/xuid(0)/state", json={"state": "Active"}).status_code == 400
    old = api.put(f"{PRES}/users/xuid({JOE_XUID})/state", json={"state": "Active"},
                  headers={"x-xbl-contract-version": "1"})
    assert old.status_code == 406
    assert sb.world.joe.presence_state == "Online"  # none of these wrote anything
