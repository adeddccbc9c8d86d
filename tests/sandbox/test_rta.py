"""The sandbox's Real-Time Activity service, from the outside.

Its subscriber, :class:`DocSubscriber`, is written from Microsoft's description of the
protocol only (the XSAPI source's message layouts and the RTA best-practices page; quoted in
docs/events.rst) over ``websockets``, a websocket library this project's client does not
use: nothing of ``xbox``'s client is involved, so a shared misreading of the protocol could
not hide here.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from xbox.sandbox import JOE_XUID, Lifetimes, Sandbox, ServedSandbox

from ..auth_helpers import FakeClock

SUBPROTOCOL = "rta.xboxlive.com.V2"
PRESENCE = f"https://userpresence.xboxlive.com/users/xuid({JOE_XUID})/richpresence"
HALO = 219630713
HALO_SCID = "1370999b-fca2-4c53-8ec5-73493bcb67e5"


class DocSubscriber:
    """An RTA client as Microsoft describes one: connect to wss://rta.xboxlive.com/connect
    with the ``rta.xboxlive.com.V2`` subprotocol and the user's ``Authorization`` header;
    send ``[1, SEQ, URI]`` / ``[2, SEQ, SUB_ID]``; read ``[1, SEQ, STATUS, SUB_ID, DATA]``,
    ``[2, SEQ, STATUS]``, ``[3, SUB_ID, DATA]`` and ``[4]``."""

    def __init__(self, base_url: str, authorization: str | None, *,
                 subprotocols: list[str] | None = None, query: str = "") -> None:
        url = base_url.replace("http://", "ws://") + "/rta.xboxlive.com/connect" + query
        headers = {"Authorization": authorization} if authorization else {}
        self._stack = contextlib.ExitStack()
        self.ws: ClientConnection = self._stack.enter_context(connect(
            url, subprotocols=[SUBPROTOCOL] if subprotocols is None else subprotocols,  # type: ignore[arg-type]
            additional_headers=headers, open_timeout=10))
        _open.append(self)
        self.seq = 0

    def send(self, message: list[Any]) -> None:
        self.ws.send(json.dumps(message))

    def receive(self, timeout: float = 10) -> list[Any]:
        message = json.loads(self.ws.recv(timeout=timeout))
        assert isinstance(message, list)
        return message

    def subscribe(self, uri: str) -> list[Any]:
        self.seq += 1
        self.send([1, self.seq, uri])
        return self.receive()

    def unsubscribe(self, subscription_id: int) -> list[Any]:
        self.seq += 1
        self.send([2, self.seq, subscription_id])
        return self.receive()

    def close(self) -> None:
        self._stack.close()


_open: list[DocSubscriber] = []


@pytest.fixture(autouse=True)
def _close_subscribers() -> Iterator[None]:
    yield
    while _open:
        _open.pop().close()


@pytest.fixture
def served() -> Iterator[ServedSandbox]:
    with Sandbox(seed=0).serve() as s:
        yield s


def subscriber(served: ServedSandbox) -> DocSubscriber:
    return DocSubscriber(served.base_url, served.sandbox.authorization_for())


# -- the done criterion: connect, subscribe, receive, unsubscribe ---------------------------------

def test_a_subscriber_written_from_the_docs_connects_subscribes_receives_and_unsubscribes(
        served: ServedSandbox) -> None:
    sb = served.sandbox
    client = subscriber(served)
    assert client.ws.subprotocol == SUBPROTOCOL
    answer = client.subscribe(PRESENCE)
    assert answer[:3] == [1, 1, 0] and isinstance(answer[3], int)
    sub_id, now = answer[3], answer[4]
    # The payload xbox-rta's README shows (and the XSAPI test fixture's first keys).
    assert list(now) == ["xuid", "devicetype", "titleid", "string1", "string2", "presenceState",
                         "presenceText", "presenceDetails"]
    assert now["xuid"] == int(JOE_XUID) and now["presenceState"] == "Online"

    sb.activity.play("JoeAlcorn", HALO, device="Scarlett", rich_presence="Ranked match")
    event = client.receive()
    assert event[:2] == [3, sub_id]
    assert event[2]["string1"] == "Halo 5: Guardians" and event[2]["string2"] == "Ranked match"
    assert event[2]["titleid"] == HALO and event[2]["devicetype"] == "Scarlett"

    assert client.unsubscribe(sub_id) == [2, 2, 0]
    sb.activity.set_rich_presence("JoeAlcorn", "Boss fight")
    with pytest.raises(TimeoutError):
        client.receive(timeout=0.5)  # unsubscribed: nothing more comes
    client.close()
    assert [s.subscriptions for s in sb.rta.history] == [{}]


def test_every_resource_kind_pushes_what_xsapi_reads(served: ServedSandbox) -> None:
    sb = served.sandbox
    client = subscriber(served)
    ids = {}
    for name, uri in {
        "devices": f"https://userpresence.xboxlive.com/users/xuid({JOE_XUID})/devices",
        "titles": f"https://userpresence.xboxlive.com/users/xuid({JOE_XUID})/titles/{HALO}",
        "achievements": f"https://achievements.xboxlive.com/users/xuid({JOE_XUID})/achievements/{HALO_SCID}",
        "stats": f"https://userstats.xboxlive.com/users/xuid({JOE_XUID})/scids/{HALO_SCID}/stats/Kills",
        "friends": f"http://social.xboxlive.com/users/xuid({JOE_XUID})/friends",
    }.items():
        answer = client.subscribe(uri)
        assert answer[2] == 0, (name, answer)
        ids[answer[3]] = name
        if name in ("devices", "titles"):  # XSAPI reads these answers as a presence record
            assert answer[4]["xuid"] == JOE_XUID and answer[4]["state"] == "Online"
        if name == "stats":
            assert set(answer[4]) == {"name", "type", "value"} and answer[4]["name"] == "Kills"
    before = sb.world.joe.last_seen_device
    sb.activity.offline("JoeAlcorn")
    sb.activity.play("JoeAlcorn", HALO, device="XboxOne")
    sb.activity.unlock_achievement("JoeAlcorn", HALO)
    sb.activity.set_stat("JoeAlcorn", HALO, "Kills", 220)
    sb.activity.add_friend("JoeAlcorn", "2535499999999999")
    got: dict[str, list[Any]] = {}
    for _ in range(6):  # devices twice (off, on), every other kind once
        message = client.receive()
        assert message[0] == 3
        got.setdefault(ids[message[1]], []).append(message[2])
    # XSAPI's device presence payload is "DEVICE:true|false"; title presence "State:titleId".
    assert got["devices"] == [f"{before}:false", "XboxOne:true"]
    assert got["titles"] == [f"Started:{HALO}"]
    progression = got["achievements"][0]["progression"][0]
    assert progression["progressState"] == "Achieved" and progression["requirements"]
    assert got["achievements"][0]["serviceConfigId"] == HALO_SCID
    assert got["stats"] == [220]
    assert got["friends"] == [{"NotificationType": "Added", "Xuids": ["2535499999999999"]}]


@pytest.mark.parametrize(("uri", "status"), [
    ("https://sessiondirectory.xboxlive.com/connections/", 1),  # unknown resource
    ("https://userpresence.xboxlive.com/users/xuid(1)/richpresence", 3),  # nobody: no data
    ("http://social.xboxlive.com/users/xuid(2535499999999999)/friends", 3),  # not yours
    (f"https://achievements.xboxlive.com/users/xuid({JOE_XUID})/achievements/"
     "00000000-0000-0000-0000-000000000001", 1),  # no such title
])
def test_refused_subscriptions_carry_a_status_and_a_reason(served: ServedSandbox, uri: str,
                                                           status: int) -> None:
    answer = subscriber(served).subscribe(uri)
    assert answer[:3] == [1, 1, status] and isinstance(answer[3], str) and len(answer) == 4


def test_the_documented_presence_throttle_refuses_the_2501st_subscription(
        served: ServedSandbox) -> None:
    client = subscriber(served)
    for seq in range(1, 2502):  # sent at once, answered in order
        client.send([1, seq, PRESENCE])
    answers = [client.receive() for _ in range(2501)]
    assert [a[2] for a in answers[:2500]] == [0] * 2500
    assert answers[2500][:3] == [1, 2501, 2]  # subscription limit reached
    # Unsubscribing makes room again.
    assert client.unsubscribe(answers[0][3])[2] == 0
    assert client.subscribe(PRESENCE)[2] == 0


def test_unknown_messages_are_ignored_and_unknown_unsubscribes_refused(served: ServedSandbox) -> None:
    client = subscriber(served)
    client.ws.send("not json")
    client.send([9, 1, "x"])
    assert client.unsubscribe(12345) == [2, 1, 1]


def test_resync_is_sent_on_the_test_control(served: ServedSandbox) -> None:
    client = subscriber(served)
    client.subscribe(PRESENCE)
    assert served.sandbox.rta.resync() == 1
    assert client.receive() == [4]


# -- the handshake -------------------------------------------------------------------------------

def test_the_token_is_checked_as_every_service_checks_it(served: ServedSandbox) -> None:
    with pytest.raises(InvalidStatus) as refused:
        DocSubscriber(served.base_url, None)
    assert refused.value.response.status_code == 401
    with pytest.raises(InvalidStatus) as forged:
        DocSubscriber(served.base_url, "XBL3.0 x=123;not-a-token")
    assert forged.value.response.status_code == 401


def test_a_token_for_another_relying_party_is_refused(served: ServedSandbox) -> None:
    minecraft = served.sandbox.authorization_for(relying_party="rp://api.minecraftservices.com/")
    with pytest.raises(InvalidStatus) as refused:
        DocSubscriber(served.base_url, minecraft)
    assert refused.value.response.status_code == 401


def test_the_subprotocol_is_required(served: ServedSandbox) -> None:
    with pytest.raises(InvalidStatus) as refused:
        DocSubscriber(served.base_url, served.sandbox.authorization_for(), subprotocols=[])
    assert refused.value.response.status_code == 400


def test_a_plain_get_is_told_to_upgrade(served: ServedSandbox) -> None:
    response = httpx.get(served.base_url + "/rta.xboxlive.com/connect",
                         headers={"Authorization": served.sandbox.authorization_for()})
    assert response.status_code == 426 and response.headers["upgrade"] == "websocket"


def test_a_nonce_opens_the_socket_once_without_headers(served: ServedSandbox) -> None:
    """xbox-rta (npm) asks GET /nonce, then connects with ?nonce= and no Authorization."""
    auth = served.sandbox.authorization_for()
    nonce = httpx.get(served.base_url + "/rta.xboxlive.com/nonce",
                      headers={"Authorization": auth}).json()["nonce"]
    client = DocSubscriber(served.base_url, None, query=f"?nonce={nonce}")
    assert client.subscribe(PRESENCE)[2] == 0
    with pytest.raises(InvalidStatus) as again:
        DocSubscriber(served.base_url, None, query=f"?nonce={nonce}")
    assert again.value.response.status_code == 401
    assert httpx.get(served.base_url + "/rta.xboxlive.com/nonce").status_code == 401


# -- the connection's end ---------------------------------------------------------------------------

def _closed(client: DocSubscriber, timeout: float = 10) -> ConnectionClosed:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            client.receive(timeout=deadline - time.monotonic())
        except ConnectionClosed as exc:
            return exc
    raise AssertionError("the connection stayed open")


def test_the_service_ends_a_connection_when_its_token_expires() -> None:
    clock = FakeClock()
    sb = Sandbox(seed=0, clock=clock, lifetimes=Lifetimes(xsts=600))
    with sb.serve() as served:
        client = subscriber(served)
        client.subscribe(PRESENCE)
        clock.advance(601)
        closed = _closed(client)
    assert closed.rcvd is not None and closed.rcvd.code == 1008
    assert closed.rcvd.reason == "token expired"


def test_connections_are_closed_after_two_hours() -> None:
    clock = FakeClock()
    sb = Sandbox(seed=0, clock=clock)  # XSTS tokens live 16 h
    with sb.serve() as served:
        client = subscriber(served)
        clock.advance(2 * 3600)
        closed = _closed(client)
    assert closed.rcvd is not None and closed.rcvd.code == 1001


def test_a_dropped_connection_ends_with_no_closing_handshake(served: ServedSandbox) -> None:
    client = subscriber(served)
    client.subscribe(PRESENCE)
    assert served.sandbox.rta.drop() == 1
    closed = _closed(client)
    assert closed.rcvd is None  # cut, as a lost network cuts it
    assert served.sandbox.rta.sessions == []


# -- in-process --------------------------------------------------------------------------------------

def test_the_in_process_transport_speaks_websocket_frames() -> None:
    """sandbox.transport() answers a handshake with a network stream, as httpx transports
    give an upgraded connection; the bytes on it are websocket frames (RFC 6455)."""
    from wsproto.connection import Connection, ConnectionType
    from wsproto.events import TextMessage

    sb = Sandbox(seed=0)
    headers = {"Authorization": sb.authorization_for(), "Upgrade": "websocket",
               "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
               "Sec-WebSocket-Protocol": SUBPROTOCOL}
    with httpx.Client(transport=sb.transport()) as http, http.stream(
            "GET", f"{sb.base_url}/rta.xboxlive.com/connect", headers=headers) as response:
        assert response.status_code == 101
        assert response.headers["sec-websocket-accept"] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        stream = response.extensions["network_stream"]
        ws = Connection(ConnectionType.CLIENT)
        stream.write(ws.send(TextMessage(data=json.dumps([1, 1, PRESENCE]))))
        ws.receive_data(stream.read(65536, timeout=5))
        answer = [json.loads(e.data) for e in ws.events() if isinstance(e, TextMessage)]
        assert answer[0][:3] == [1, 1, 0]
        stream.close()


# -- the world's changes, and REST answering consistently with them -----------------------------------

def test_rest_services_answer_as_the_world_changed() -> None:
    from xbox.sandbox.services.achievements import definitions

    sb = Sandbox(seed=0)
    auth = {"Authorization": sb.authorization_for()}
    with httpx.Client(transport=sb.transport(), base_url=sb.base_url, headers=auth) as http:
        def get(path: str, version: int) -> Any:
            response = http.get(path, headers={"x-xbl-contract-version": str(version)})
            assert response.status_code == 200, (path, response.status_code)
            return response.json()

        score = int(get(f"/profile.xboxlive.com/users/xuid({JOE_XUID})/profile/settings"
                        "?settings=Gamerscore", 2)["profileUsers"][0]["settings"][0]["value"])
        sb.activity.play("JoeAlcorn", HALO, device="Scarlett", rich_presence="Boss fight")
        presence = get(f"/userpresence.xboxlive.com/users/xuid({JOE_XUID})?level=all", 3)
        title = presence["devices"][0]["titles"][0]
        assert presence["devices"][0]["type"] == "Scarlett" and title["id"] == str(HALO)
        assert title["activity"] == {"richPresence": "Boss fight"}

        change = sb.activity.unlock_achievement("JoeAlcorn", HALO)
        assert change is not None
        unlocked = change.details["achievement_id"]
        detail = get(f"/achievements.xboxlive.com/users/xuid({JOE_XUID})/achievements/"
                     f"{HALO_SCID}/{unlocked}", 2)["achievements"][0]
        assert detail["progressState"] == "Achieved"
        gained = next(d.gamerscore for d in definitions(0, HALO) if d.id == unlocked)
        after = int(get(f"/profile.xboxlive.com/users/xuid({JOE_XUID})/profile/settings"
                        "?settings=Gamerscore", 2)["profileUsers"][0]["settings"][0]["value"])
        assert after == score + gained

        clip = sb.activity.record_clip("JoeAlcorn", HALO)
        listed = get(f"/gameclipsmetadata.xboxlive.com/users/xuid({JOE_XUID})/clips?maxItems=1",
                     1)["gameClips"][0]
        assert listed["gameClipId"] == clip.id
        media = http.get(listed["gameClipUris"][0]["uri"].replace("https://", "/"), headers={})
        assert media.status_code == 200 and len(media.content) == clip.size

        sb.activity.set_stat("JoeAlcorn", HALO, "Kills", 4321)
        stats = get(f"/userstats.xboxlive.com/users/xuid({JOE_XUID})/scids/{HALO_SCID}/stats/Kills", 2)
        assert stats["statlistscollection"][0]["stats"][0]["value"] == "4321"


def test_the_schedule_is_seeded_paced_and_keeps_joe_busy() -> None:
    def run(seed: int) -> list[tuple[str, str]]:
        clock = FakeClock()
        sb = Sandbox(seed=seed, clock=clock, activity=True)
        for _ in range(12):
            clock.advance(sb.activity.pace)
            sb.tick()
        return [(c.what, c.gamertag) for c in sb.activity.changes]

    changes = run(0)
    assert changes == run(0)  # the same seed, the same world's life
    assert len(changes) >= 12
    joe_presence = [i for i, (what, who) in enumerate(changes)
                    if who == "JoeAlcorn" and what in ("rich_presence", "play")]
    assert joe_presence[0] == 0 and max(b - a for a, b in itertools.pairwise(joe_presence)) <= 3
    assert {"achievement", "clip"} <= {w for w, _ in changes}


def test_a_clock_that_jumps_replays_a_bounded_number_of_steps() -> None:
    clock = FakeClock()
    sb = Sandbox(seed=0, clock=clock, activity=True)
    clock.advance(86400)
    sb.tick()
    assert len(sb.activity.changes) <= 20


def test_a_fresh_sandbox_world_stays_still() -> None:
    clock = FakeClock()
    sb = Sandbox(seed=0, clock=clock)
    clock.advance(3600)
    sb.tick()
    assert sb.activity.changes == [] and not sb.activity.running


def test_the_controls_over_http(served: ServedSandbox) -> None:
    base = served.base_url + "/sandbox.invalid"
    client = subscriber(served)
    client.subscribe(PRESENCE)
    made = httpx.post(f"{base}/activity/play", json={"who": "JoeAlcorn", "title": "Halo 5: Guardians",
                                                       "rich_presence": "Warzone"}).json()
    assert made["changes"][-1]["what"] == "play"
    assert client.receive()[2]["string2"] == "Warzone"
    clip = httpx.post(f"{base}/activity/clip", json={"who": JOE_XUID}).json()["changes"]
    assert clip["what"] == "clip" and clip["id"] in served.sandbox.world.captures_by_id
    assert httpx.post(f"{base}/activity/play", json={"who": "NoSuchUser"}).status_code == 404
    assert httpx.post(f"{base}/activity/stat", json={"who": "JoeAlcorn"}).status_code == 400
    assert httpx.post(f"{base}/activity/dance", json={}).status_code == 404
    assert httpx.post(f"{base}/rta/resync", json={}).json() == {"connections": 1}
    assert client.receive() == [4]
    connections = httpx.get(f"{base}/rta/connections").json()
    assert connections[0]["gamertag"] == "JoeAlcorn" and connections[0]["open"]
    assert httpx.post(f"{base}/activity/start", json={"pace": 5}).json() == {
        "running": True, "pace": 5.0}
    assert httpx.get(f"{base}/activity/changes").json()["running"]
    assert httpx.post(f"{base}/rta/drop", json={"who": "JoeAlcorn"}).json() == {"connections": 1}
