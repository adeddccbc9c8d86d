"""xblmessaging.xboxlive.com against the message recordings: inbox, conversations, sending,
deleting, and the world changing with each write."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fidelity import assert_same_shape, recorded
from xbox.sandbox import JOE_XUID, Sandbox
from xbox.sandbox.world_services import conversation_id, services_world

MSG = "/xblmessaging.xboxlive.com/network/Xbox/users/me"
V1 = {"x-xbl-contract-version": "1"}

API_HEADERS = V1  # the api fixture's (conftest.py)


def _client(sb: Sandbox, email: str = "joe@example.org") -> httpx.Client:
    return httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                        headers={"Authorization": sb.authorization_for(email), **V1})


def _friends_in_inbox(body: dict[str, Any]) -> list[str]:
    return [next(p for p in c["participants"] if p != JOE_XUID)
            for c in body["primary"]["conversations"]]


def _same_shape_by_kind(body: dict[str, Any], want: dict[str, Any]) -> None:
    """A conversation against the recorded one, each message against the recorded message of
    its kind (the recording holds a deleted one, whose parts lack unsuitableFor, and a live
    one)."""
    by_kind = {m["isDeleted"]: m for m in want["messages"]}
    assert set(by_kind) == {True, False}
    for message in body["messages"]:
        assert_same_shape(message, by_kind[message["isDeleted"]])
    assert_same_shape({**body, "messages": []}, {**want, "messages": []})
    assert list(body) == list(want)


def test_conversation_ids_are_the_two_xuids() -> None:
    # The recorded ids: both orders of the pair give the same id, xuid 0 for Xbox itself.
    assert conversation_id("2719584417856940", "2533274883751843") \
        == "05907fa3-0000-0009-acbd-299772a90900"
    assert conversation_id("0", "2719584417856940") == "00000000-0000-0000-acbd-299772a90900"


def test_inbox_matches_recording(api: httpx.Client) -> None:
    r = api.get(f"{MSG}/inbox", params={"maxItems": 100})
    assert r.status_code == 200
    body = r.json()
    want = recorded("message_get_inbox.json")
    # The recording holds both kinds of conversation: a friend's (its parts carry
    # unsuitableFor) and Xbox's own, from xuid 0 (they do not). Each is checked against
    # its own kind.
    by_kind = {p["lastMessage"]["sender"] == "0": p for p in want["primary"]["conversations"]}
    assert set(by_kind) == {True, False}
    conversations = body["primary"]["conversations"]
    for conversation in conversations:
        assert_same_shape(conversation, by_kind[conversation["lastMessage"]["sender"] == "0"])
        assert list(conversation) == list(by_kind[False])
    want["primary"]["conversations"] = []
    body_without = {**body, "primary": {**body["primary"], "conversations": []}}
    assert_same_shape(body_without, want)
    assert list(body) == ["primary", "folders", "safetySettings"]
    assert body["primary"]["totalCount"] == len(conversations) == 4
    assert body["primary"]["unreadCount"] == sum(not c["isRead"] for c in conversations) == 2
    ids = [int(c["lastMessage"]["messageId"]) for c in conversations]
    assert ids == sorted(ids, reverse=True)  # most recently active first
    system = conversations[0]
    assert system["participants"] == ["0", JOE_XUID] and system["lastMessage"]["sender"] == "0"
    assert system["lastMessage"]["owner"] == int(JOE_XUID)
    assert "unsuitableFor" not in system["lastMessage"]["contentPayload"]["content"]["parts"][0]
    first = api.get(f"{MSG}/inbox", params={"maxItems": 3}).json()["primary"]
    assert len(first["conversations"]) == 3
    assert first["continuationToken"] == conversations[2]["lastMessage"]["messageId"]
    rest = api.get(f"{MSG}/inbox", params={"maxItems": 3,
                                           "continuationToken": first["continuationToken"]})
    last = rest.json()["primary"]
    assert [c["conversationId"] for c in last["conversations"]] \
        == [conversations[3]["conversationId"]]
    assert "continuationToken" not in last and last["totalCount"] == 4
    assert api.get(f"{MSG}/inbox", params={"continuationToken": "x"}).status_code == 400


def test_conversation_matches_recording(api: httpx.Client) -> None:
    friend = _friends_in_inbox(api.get(f"{MSG}/inbox").json())[1]
    r = api.get(f"{MSG}/conversations/users/xuid({friend})", params={"maxItems": 100})
    assert r.status_code == 200
    body = r.json()
    _same_shape_by_kind(body, recorded("message_get_conversation.json"))
    assert body["conversationId"] == conversation_id(JOE_XUID, friend)
    ids = [int(m["messageId"]) for m in body["messages"]]
    assert ids == sorted(ids) and body["continuationToken"] is None  # oldest first
    assert all(len(m["messageId"]) == 17 for m in body["messages"])
    page = api.get(f"{MSG}/conversations/users/xuid({friend})", params={"maxItems": 2}).json()
    assert [m["messageId"] for m in page["messages"]] == [str(i) for i in ids[-2:]]
    assert page["continuationToken"] == str(ids[-2])
    rest = api.get(f"{MSG}/conversations/users/xuid({friend})",
                   params={"maxItems": 100, "continuationToken": page["continuationToken"]})
    assert [int(m["messageId"]) for m in rest.json()["messages"]] == ids[:-2]


def test_send_opens_a_conversation_both_sides_see(sb: Sandbox, api: httpx.Client) -> None:
    stranger = sb.world.by_email["user7@example.org"]
    empty = api.get(f"{MSG}/conversations/users/xuid({stranger.xuid})").json()
    assert_same_shape(empty, recorded("message_new_conversation.json"))
    assert empty["messages"] is None and empty["timestamp"] == "0001-01-01T00:00:00"
    r = api.post(f"{MSG}/conversations/users/xuid({stranger.xuid})",
                 json={"parts": [{"contentType": "text", "version": 0, "text": "hi there"}]})
    assert r.status_code == 200
    sent = r.json()
    assert_same_shape(sent, recorded("message_send_message.json"))
    assert sent["conversationId"] == conversation_id(JOE_XUID, stranger.xuid)
    mine = api.get(f"{MSG}/conversations/users/xuid({stranger.xuid})").json()
    assert [m["messageId"] for m in mine["messages"]] == [sent["messageId"]]
    assert mine["isRead"] is True  # one's own message is read
    inbox = api.get(f"{MSG}/inbox").json()
    assert _friends_in_inbox(inbox)[0] == stranger.xuid
    with _client(sb, "user7@example.org") as them:
        theirs = them.get(f"{MSG}/inbox").json()["primary"]
        assert theirs["unreadCount"] == 1
        assert theirs["conversations"][0]["lastMessage"]["contentPayload"]["content"][
            "parts"][0]["text"] == "hi there"
        reply = them.post(f"{MSG}/conversations/users/xuid({JOE_XUID})",
                          json={"parts": [{"contentType": "text", "version": 0,
                                           "text": "hello"}]}).json()
    assert int(reply["messageId"]) > int(sent["messageId"])
    assert reply["conversationId"] == sent["conversationId"]


def test_delete_a_message_then_the_conversation(sb: Sandbox, api: httpx.Client) -> None:
    friend = _friends_in_inbox(api.get(f"{MSG}/inbox").json())[1]
    url = f"{MSG}/conversations/users/xuid({friend})"
    conv = api.get(url).json()
    own = next(m for m in conv["messages"] if m["sender"] == JOE_XUID)
    theirs = next(m for m in conv["messages"] if m["sender"] == friend)
    target = f"{MSG}/conversations/{conv['conversationId']}/messages/{own['messageId']}"
    assert api.delete(target).status_code == 200
    assert api.delete(target).status_code == 200  # again: nothing more changes
    again = api.get(url).json()
    _same_shape_by_kind(again, recorded("message_get_conversation.json"))
    after = next(m for m in again["messages"] if m["messageId"] == own["messageId"])
    assert after["isDeleted"] is True
    assert after["contentPayload"]["content"]["parts"] == [
        {"contentType": "text", "text": "Deleted", "version": 0}]
    not_mine = f"{MSG}/conversations/{conv['conversationId']}/messages/{theirs['messageId']}"
    assert api.delete(not_mine).status_code == 403
    last = conv["messages"][-1]["messageId"]
    body = {"conversations": [{"conversationId": conv["conversationId"],
                               "conversationType": "OneToOne", "horizonType": "Delete",
                               "horizon": last}]}
    r = api.put(f"{MSG}/conversations/horizon", json=body,
                headers={"x-xbl-contract-version": "2"})
    assert r.status_code == 200
    assert friend not in _friends_in_inbox(api.get(f"{MSG}/inbox").json())
    assert api.get(url).json()["messages"] is None  # gone for Joe...
    friend_email = sb.world.by_xuid[friend].email or ""
    with _client(sb, friend_email) as them:  # ...not for the friend
        assert them.get(f"{MSG}/conversations/users/xuid({JOE_XUID})").json()["messages"]


def test_read_horizon_marks_read(api: httpx.Client) -> None:
    inbox = api.get(f"{MSG}/inbox").json()["primary"]
    unread = next(c for c in inbox["conversations"] if not c["isRead"])
    api.put(f"{MSG}/conversations/horizon", json={"conversations": [{
        "conversationId": unread["conversationId"], "conversationType": "OneToOne",
        "horizonType": "Read", "horizon": unread["lastMessage"]["messageId"]}]})
    after = api.get(f"{MSG}/inbox").json()["primary"]
    assert after["unreadCount"] == inbox["unreadCount"] - 1


def test_refusals(sb: Sandbox, api: httpx.Client) -> None:
    friend = sb.world.joe.friends[0]
    url = f"{MSG}/conversations/users/xuid({friend})"
    too_long = {"parts": [{"contentType": "text", "version": 0, "text": "x" * 257}]}
    assert api.post(url, json=too_long).status_code == 400
    assert api.post(url, json={"text": "hi"}).status_code == 400
    assert api.get(f"{MSG}/conversations/users/xuid(abc)").status_code == 400
    assert api.get(f"{MSG}/conversations/users/xuid(2533274800000001)").status_code == 404
    assert api.get(f"{MSG}/conversations/users/xuid({JOE_XUID})").status_code == 400
    cid = conversation_id(JOE_XUID, friend)
    assert api.delete(f"{MSG}/conversations/{cid}/messages/1").status_code == 404
    assert api.get(f"{MSG}/inbox", headers={"x-xbl-contract-version": "9"}).status_code == 406
    assert services_world(sb).conversations  # the refusals wrote nothing odd
    anon = httpx.Client(base_url=sb.base_url, transport=sb.transport())
    assert anon.get(f"{MSG}/inbox").status_code == 401
