"""The RTA protocol as plain functions (xbox._core.rta, _core.websocket, _core.events): the
messages XSAPI sends and reads, the subscription state machine, backoff, frames, and what a
stream watches. No socket here: the sockets are tests/test_events.py's and
tests/sandbox/test_rta.py's."""

from __future__ import annotations

import json

import pytest

from xbox._core import rta
from xbox._core.events import (
    DEFAULT_KINDS,
    check_kinds,
    check_stats,
    new_ids,
    poll_interval,
    presence_key,
    resources_for,
)
from xbox._core.rta import (
    Change,
    EventMessage,
    Refused,
    Resource,
    Resync,
    ResyncMessage,
    Snapshot,
    Status,
    SubscribeAnswer,
    Subscriptions,
    UnsubscribeAnswer,
    parse_message,
    reconnect_delay,
    renew_at,
    resource_of,
    resubscribe_delay,
)
from xbox._core.websocket import Frames, accept_key, handshake_headers, handshake_problem
from xbox.exceptions import InvalidArgument

JOE = "2533274812246958"
SCID = "1370999b-fca2-4c53-8ec5-73493bcb67e5"


# -- resources ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("resource", "uri"), [
    (Resource("presence", JOE), f"https://userpresence.xboxlive.com/users/xuid({JOE})/richpresence"),
    (Resource("devices", JOE), f"https://userpresence.xboxlive.com/users/xuid({JOE})/devices"),
    (Resource("titles", JOE, title_id=219630713),
     f"https://userpresence.xboxlive.com/users/xuid({JOE})/titles/219630713"),
    # XSAPI lower-cases the SCID of achievement subscriptions...
    (Resource("achievements", JOE, scid=SCID.upper()),
     f"https://achievements.xboxlive.com/users/xuid({JOE})/achievements/{SCID}"),
    # ... not of statistics, whose name goes in as it is.
    (Resource("stats", JOE, scid=SCID, stat="Kills"),
     f"https://userstats.xboxlive.com/users/xuid({JOE})/scids/{SCID}/stats/Kills"),
    (Resource("friends", JOE), f"http://social.xboxlive.com/users/xuid({JOE})/friends"),
])
def test_resource_uris_are_xsapis_and_read_back(resource: Resource, uri: str) -> None:
    assert resource.uri == uri
    assert resource_of(uri) == resource


@pytest.mark.parametrize("bad", [
    lambda: Resource("gamertags", JOE),
    lambda: Resource("presence", "me"),
    lambda: Resource("titles", JOE),
    lambda: Resource("achievements", JOE, scid="nope"),
    lambda: Resource("stats", JOE, scid=SCID, stat="a b"),
])
def test_malformed_resources_are_refused_before_anything_is_sent(bad) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidArgument):
        bad()


def test_unknown_uris_are_not_resources() -> None:
    assert resource_of("https://sessiondirectory.xboxlive.com/connections/") is None
    assert resource_of("https://userpresence.xboxlive.com/users/xuid(0)/richpresence") is None


# -- messages ----------------------------------------------------------------------------------

def test_messages_have_xsapis_layout() -> None:
    assert json.loads(rta.subscribe_message(7, "u")) == [1, 7, "u"]
    assert json.loads(rta.unsubscribe_message(8, 3)) == [2, 8, 3]


@pytest.mark.parametrize(("text", "parsed"), [
    ('[1,7,0,3,{"a":1}]', SubscribeAnswer(7, 0, 3, {"a": 1})),
    ('[1,7,0,3]', SubscribeAnswer(7, 0, 3, None)),
    # XSAPI before 2020 read a failed subscribe's fourth element as the error text.
    ('[1,7,2,"subscription limit reached"]', SubscribeAnswer(7, 2, error="subscription limit reached")),
    ("[1,7,1001]", SubscribeAnswer(7, 1001)),
    ("[2,8,0]", UnsubscribeAnswer(8, 0)),
    ('[3,3,"XboxOne:true"]', EventMessage(3, "XboxOne:true")),
    ("[4]", ResyncMessage()),
    # "Ignore messages you do not understand" (Microsoft's RTA best practices).
    ("[5,1,2]", None), ("{}", None), ("not json", None), ("[]", None), ("[1,7,0]", None),
    ('["1",7,0,3]', None), ("[true,7,0,3]", None),
])
def test_server_messages_parse_or_are_ignored(text: str, parsed: object) -> None:
    assert parse_message(text) == parsed


# -- the subscription state machine ---------------------------------------------------------------

PRESENCE = Resource("presence", JOE)
STAT = Resource("stats", JOE, scid=SCID, stat="Kills")


def _sent(messages: list[str]) -> list[list[object]]:
    return [json.loads(m) for m in messages]


def test_subscribe_snapshot_event_unsubscribe() -> None:
    subs = Subscriptions()
    assert subs.add(PRESENCE) == []  # not connected: nothing goes out yet
    assert _sent(subs.connected(0.0)) == [[1, 1, PRESENCE.uri]]
    assert subs.receive('[1,1,0,42,{"presenceState":"Online"}]', 1.0) == (
        [Snapshot(PRESENCE, {"presenceState": "Online"})], [])
    assert subs.active(PRESENCE)
    assert subs.receive('[3,42,{"presenceState":"Offline"}]', 2.0) == (
        [Change(PRESENCE, {"presenceState": "Offline"})], [])
    assert _sent(subs.remove(PRESENCE)) == [[2, 2, 42]]
    # Events of a subscription being ended are dropped, as Microsoft says to.
    assert subs.receive('[3,42,{"presenceState":"Online"}]', 3.0) == ([], [])
    assert subs.receive("[2,2,0]", 3.0) == ([], [])
    assert subs.resources == []


def test_a_subscription_dropped_while_being_made_is_ended_once_it_is_made() -> None:
    """XSAPI: the protocol does not allow an unsubscribe before the subscribe's answer."""
    subs = Subscriptions()
    subs.add(PRESENCE)
    subs.connected(0.0)
    assert subs.remove(PRESENCE) == []
    assert subs.receive("[1,1,0,5,null]", 1.0) == ([], [rta.unsubscribe_message(2, 5)])


def test_events_of_unknown_subscriptions_and_stray_answers_are_ignored() -> None:
    subs = Subscriptions()
    subs.add(PRESENCE)
    subs.connected(0.0)
    assert subs.receive("[3,99,{}]", 1.0) == ([], [])
    assert subs.receive("[1,55,0,1,{}]", 1.0) == ([], [])  # an answer to nothing we asked
    assert subs.receive("[2,1,0]", 1.0) == ([], [])  # the wrong answer to a subscribe


def test_throttled_subscriptions_are_asked_again_after_xsapis_backoff() -> None:
    subs = Subscriptions()
    subs.add(PRESENCE)
    subs.connected(0.0)
    deliveries, _ = subs.receive('[1,1,1001,"throttled"]', 10.0)
    assert deliveries == [Refused(PRESENCE, Status.THROTTLED, "throttled", retry_in=1.0)]
    assert subs.next_due() == 11.0
    assert subs.due(10.5) == []
    assert _sent(subs.due(11.0)) == [[1, 2, PRESENCE.uri]]
    deliveries, _ = subs.receive("[1,2,1002]", 12.0)  # no text: the status in words
    assert deliveries == [Refused(PRESENCE, Status.SERVICE_UNAVAILABLE, "service unavailable",
                                  retry_in=4.0)]


def test_refusals_that_will_not_change_end_the_subscription() -> None:
    subs = Subscriptions()
    subs.add(PRESENCE)
    subs.connected(0.0)
    deliveries, _ = subs.receive('[1,1,3,"no resource data"]', 1.0)
    assert deliveries == [Refused(PRESENCE, Status.NO_RESOURCE_DATA, "no resource data")]
    assert subs.resources == []


def test_a_new_connection_subscribes_again_and_old_ids_mean_nothing() -> None:
    subs = Subscriptions()
    subs.add(PRESENCE)
    subs.add(STAT)
    subs.connected(0.0)
    subs.receive("[1,1,0,7,{}]", 0.5)
    subs.receive('[1,2,0,8,{"value":1}]', 0.5)
    subs.disconnected()
    assert not subs.active(PRESENCE)
    assert subs.receive("[3,7,{}]", 1.0) == ([], [])
    assert _sent(subs.connected(2.0)) == [[1, 3, PRESENCE.uri], [1, 4, STAT.uri]]


def test_resync_is_ignored_for_five_minutes_after_connecting() -> None:
    subs = Subscriptions()
    subs.add(PRESENCE)
    subs.connected(1000.0)
    assert subs.receive("[4]", 1000.0 + rta.RESYNC_GRACE - 1) == ([], [])
    assert subs.receive("[4]", 1000.0 + rta.RESYNC_GRACE) == ([Resync()], [])


def test_the_documented_throttles_are_kept() -> None:
    subs = Subscriptions()
    for n in range(rta.MAX_STAT_SUBSCRIPTIONS):
        subs.add(Resource("stats", JOE, scid=SCID, stat=f"S{n}"))
    with pytest.raises(InvalidArgument, match="1000 stats"):
        subs.add(Resource("stats", JOE, scid=SCID, stat="OneTooMany"))
    subs.add(PRESENCE)  # presence counts against its own throttle
    for n in range(1, rta.MAX_PRESENCE_SUBSCRIPTIONS):
        subs.add(Resource("devices", str(2533274800000000 + n)))
    with pytest.raises(InvalidArgument, match="2500 presence"):
        subs.add(Resource("devices", "2533274899999999"))


# -- timing ------------------------------------------------------------------------------------

def test_reconnect_backoff_is_xsapis_bounded_and_jittered() -> None:
    assert reconnect_delay(0, 0.5, first=True) == 0.0
    assert [reconnect_delay(a, 0.0) for a in range(10)] == [0, 1, 4, 9, 16, 25, 36, 49, 60, 60]
    assert reconnect_delay(3, 0.999) == pytest.approx(9 + 4.995)
    assert max(reconnect_delay(a, j) for a in range(100) for j in (0.0, 0.5, 1.5)) <= 65.0
    assert [resubscribe_delay(a) for a in (1, 2, 9)] == [1, 4, 60]


def test_connections_are_renewed_after_90_minutes_or_when_the_token_is_due() -> None:
    assert renew_at(0.0, None) == 90 * 60
    assert renew_at(0.0, 600.0) == 600.0
    assert renew_at(100.0, 50.0) == 101.0  # never a busy loop


# -- websocket frames and handshake ------------------------------------------------------------------

def test_the_accept_key_is_rfc_6455s_example() -> None:
    # RFC 6455 §1.3's worked example.
    assert accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_handshake_answers_are_checked() -> None:
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    good = {"upgrade": "websocket", "sec-websocket-accept": accept_key(key),
            "sec-websocket-protocol": rta.SUBPROTOCOL}
    assert handshake_headers(key, rta.SUBPROTOCOL)["Sec-WebSocket-Protocol"] == rta.SUBPROTOCOL
    assert handshake_problem(101, good, key, rta.SUBPROTOCOL) is None
    assert "HTTP 401" in (handshake_problem(401, {}, key, rta.SUBPROTOCOL) or "")
    assert handshake_problem(101, {**good, "sec-websocket-accept": "x"}, key, rta.SUBPROTOCOL)
    assert handshake_problem(101, {**good, "sec-websocket-protocol": "v1"}, key, rta.SUBPROTOCOL)


def test_frames_round_trip_with_a_server() -> None:
    from wsproto.connection import Connection, ConnectionType
    from wsproto.events import CloseConnection, Ping, TextMessage

    client, server = Frames(), Connection(ConnectionType.SERVER)
    server.receive_data(client.text("[1,1,\"u\"]"))
    assert [e.data for e in server.events() if isinstance(e, TextMessage)] == ['[1,1,"u"]']
    # A message in two fragments is one message; a ping is answered at once.
    data = server.send(TextMessage(data="[3,1,", message_finished=False)) + server.send(
        TextMessage(data="{}]")) + server.send(Ping(b"hi"))
    got = client.receive(data)
    assert got.messages == ["[3,1,{}]"] and got.reply and got.closed is None
    server.receive_data(got.reply)
    assert [type(e).__name__ for e in server.events()] == ["Pong"]
    got = client.receive(server.send(CloseConnection(code=1008, reason="token expired")))
    assert got.closed == (1008, "token expired") and got.reply  # our half of the close
    assert not client.open


def test_a_connection_that_just_ends_is_abnormal_closure() -> None:
    assert Frames().receive(None).closed == (1006, "")


def test_garbage_from_the_peer_is_a_protocol_error_close() -> None:
    got = Frames().receive(b"\xff\xff\xff\xff")
    assert got.closed is not None and got.closed[0] == 1002


# -- what a stream watches ----------------------------------------------------------------------------

def test_kinds() -> None:
    assert check_kinds(None) == DEFAULT_KINDS
    assert check_kinds("presence, captures,presence") == ("presence", "captures")
    assert "stats" not in check_kinds("all") and "status" not in check_kinds("all")
    assert "stats" in check_kinds("all", stats=True)
    with pytest.raises(InvalidArgument, match="no event kind 'gamertags'"):
        check_kinds("presence,gamertags")
    with pytest.raises(InvalidArgument):
        check_kinds(",")


def test_stats_are_scid_slash_name() -> None:
    assert check_stats([f"{SCID}/Kills", (SCID, "Wins")])[1].name == "Wins"
    with pytest.raises(InvalidArgument):
        check_stats(["Kills"])


def test_resources_for_a_user() -> None:
    own = resources_for(JOE, ("achievements", "friends", "devices"), own=True, titles=(),
                        stats=())
    # Presence comes with achievements: it says which title's achievements to watch.
    assert [r.kind for r in own] == ["presence", "devices", "friends"]
    assert [r.kind for r in resources_for(JOE, ("friends",), own=False, titles=(), stats=())] == []


def test_polling_stays_within_a_share_of_the_budget() -> None:
    assert poll_interval(60, users=1, own=False) == 60
    # gameclips: 300 requests per 300 s; half of it for polling; JoeAlcorn's own lists read
    # mediahub too (2 clip requests a poll): every 4 s at most.
    assert poll_interval(1, users=1, own=True) == pytest.approx(4.0)
    assert poll_interval(1, users=100, own=False) == pytest.approx(200.0)


def test_new_ids_learn_first_then_tell_what_is_new() -> None:
    assert new_ids(None, ["a", "b"]) == []
    assert new_ids({"a", "b"}, ["c", "a", "d"]) == ["c", "d"]


def test_presence_keys_ignore_what_an_offline_user_was_playing() -> None:
    assert presence_key("Offline", 1, "x", "XboxOne") == presence_key("offline", 2, "y", "")
    assert presence_key("Online", 1, "x", "XboxOne") != presence_key("Online", 1, "y", "XboxOne")
