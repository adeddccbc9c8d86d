"""``xbl.messages``: the inbox and conversations auto-paged, sending and deleting, against the
sandbox (sync and async), the models against the message recordings, and writes sent once."""

from __future__ import annotations

import json

import pytest

from xbox._api import messages as api
from xbox.exceptions import InvalidArgument, PermissionDenied, ServerError, TransportError
from xbox.models import Conversation, Message, SentMessage
from xbox.sandbox import JOE_XUID, Fault, FaultKind, Sandbox
from xbox.sandbox.world_services import conversation_id, services_world

from .auth_helpers import FakeClock, requests_to
from .cli_helpers import cli_sandbox, xbox_cli
from .fidelity import recorded
from .signed_in import KINDS, signed_in
from .twins import call, collect

HOST = "xblmessaging.xboxlive.com"
RECORDED_ID = "05907fa3-0000-0009-acbd-299772a90900"


def friends_written_to(sb: Sandbox) -> list[str]:
    """The friends Joe has a conversation with, most recently active first."""
    world = services_world(sb)
    convs = sorted((c for c in world.conversations_of(JOE_XUID) if "0" not in c.participants),
                   key=lambda c: c.messages[-1].id, reverse=True)
    return [next(p for p in c.participants if p != JOE_XUID) for c in convs]


# -- the models against the recordings --------------------------------------------------------

def test_models_read_the_recorded_bodies() -> None:
    inbox = [Conversation.from_wire(c)
             for c in recorded("message_get_inbox.json")["primary"]["conversations"]]
    friend, system = inbox
    assert friend.id == RECORDED_ID and friend.is_read is True and system.is_read is False
    assert friend.participants == ["2533274883751843", "2719584417856940"]
    assert friend.other("2719584417856940") == "2533274883751843"
    last = friend.last_message
    assert last is not None and last.text == "Test" and last.owner == 2719584417856940
    assert friend.newest is last and last.sent is not None and last.sent.year == 2020
    assert system.last_message is not None and system.last_message.sender == "0"
    assert system.last_message.text.startswith("Great news")

    whole = Conversation.from_wire(recorded("message_get_conversation.json"))
    assert whole.read_horizon == "14670727301543890" and whole.continuation_token is None
    deleted, live = whole.messages or []
    assert deleted.deleted and deleted.text == "Deleted"
    assert not live.deleted and live.text == "Test 4" and live.message_id == "14670727301543890"
    assert whole.newest is live and live.parts[0].unsuitable_for == []

    fresh = Conversation.from_wire(recorded("message_new_conversation.json"))
    assert fresh.id == RECORDED_ID and fresh.messages is None and fresh.participants is None
    assert fresh.timestamp is None  # 0001-01-01T00:00:00 has no zone: read as unknown
    assert fresh.newest is None and fresh.raw["timestamp"] == "0001-01-01T00:00:00"

    sent = SentMessage.from_wire(recorded("message_send_message.json"))
    assert (sent.message_id, sent.conversation_id) == ("14670963043022811", RECORDED_ID)


# -- reading -----------------------------------------------------------------------------------

@KINDS
async def test_inbox_auto_pages(kind: str, sb: Sandbox, clock: FakeClock) -> None:
    async with signed_in(kind, sb, clock) as xbl:
        whole = await collect(xbl.messages.inbox())
        pager = xbl.messages.inbox(page_size=1)
        paged = await collect(pager)
        assert [c.id for c in paged] == [c.id for c in whole] and len(whole) == 4
        assert pager.pages == 4
        newest = [int(c.newest.message_id) for c in whole if c.newest is not None]
        assert newest == sorted(newest, reverse=True)
        assert whole[0].participants == ["0", JOE_XUID]  # Xbox's own message is the latest
        assert len(await collect(xbl.messages.inbox(limit=2, page_size=1))) == 2
    sent = requests_to(sb, HOST, "/inbox")
    assert sent[0].headers["x-xbl-contract-version"] == "1"
    assert [r.url.params.get("continuationToken") for r in sent[1:5]] == [
        None, *(str(n) for n in newest[:3])]


@KINDS
async def test_a_conversation_newest_first_page_after_page(kind: str, sb: Sandbox,
                                                          clock: FakeClock) -> None:
    friend = friends_written_to(sb)[0]
    stored = services_world(sb).conversation_with(JOE_XUID, friend)
    assert stored is not None and len(stored.messages) >= 3
    async with signed_in(kind, sb, clock) as xbl:
        pager = xbl.messages.conversation(friend, page_size=2)
        got = await collect(pager)
        assert [int(m.message_id) for m in got] == [m.id for m in reversed(stored.messages)]
        assert pager.pages == -(-len(stored.messages) // 2)
        assert all(isinstance(m, Message) and m.conversation_id == stored.id for m in got)
        assert got[0].text == stored.messages[-1].text
        one = await collect(xbl.messages.conversation(friend, limit=1))
        assert [m.message_id for m in one] == [got[0].message_id]
        stranger = sb.world.by_email["user7@example.org"].xuid
        assert await collect(xbl.messages.conversation(stranger)) == []  # never written


# -- writes ------------------------------------------------------------------------------------

@KINDS
async def test_send_then_delete(kind: str, sb: Sandbox, clock: FakeClock) -> None:
    friend = friends_written_to(sb)[-1]
    async with signed_in(kind, sb, clock) as xbl:
        sent = await call(xbl.messages.send(friend, "see you online"))
        assert isinstance(sent, SentMessage)
        assert sent.conversation_id == conversation_id(JOE_XUID, friend)
        newest = (await collect(xbl.messages.conversation(friend, limit=1)))[0]
        assert (newest.message_id, newest.text, newest.sender) == (
            sent.message_id, "see you online", JOE_XUID)
        inbox = await collect(xbl.messages.inbox())
        assert inbox[0].other(JOE_XUID) == friend  # the most recently active now
        await call(xbl.messages.delete(newest))
        again = (await collect(xbl.messages.conversation(friend, limit=1)))[0]
        assert again.deleted and again.text == "Deleted"
        theirs = next(m for m in await collect(xbl.messages.conversation(friend))
                      if m.sender == friend)
        with pytest.raises(PermissionDenied):
            await call(xbl.messages.delete(theirs.conversation_id, theirs.message_id))
        # A conversation goes from the inbox once its messages are deleted up to the newest.
        conv = next(c for c in inbox if c.other(JOE_XUID) == friend)
        await call(xbl.messages.delete_conversation(conv))
        assert friend not in [c.other(JOE_XUID) for c in await collect(xbl.messages.inbox())]
    horizon = json.loads(requests_to(sb, HOST, "/horizon")[0].content)
    assert horizon["conversations"][0]["horizon"] == sent.message_id
    assert requests_to(sb, HOST, "/horizon")[0].headers["x-xbl-contract-version"] == "2"
    posted = json.loads(next(r for r in sb.requests if r.method == "POST"
                             and HOST in str(r.url)).content)
    assert posted == {"parts": [{"contentType": "text", "version": 0, "text": "see you online"}]}


@KINDS
async def test_arguments_are_checked_before_sending(kind: str, sb: Sandbox,
                                                    clock: FakeClock) -> None:
    async with signed_in(kind, sb, clock) as xbl:
        before = len(sb.requests)
        for bad in (lambda: xbl.messages.send(JOE_XUID, "x" * 257),
                    lambda: xbl.messages.send(JOE_XUID, "  "),
                    lambda: xbl.messages.send("joe", "hi"),
                    lambda: xbl.messages.delete("not-a-guid", "1"),
                    lambda: xbl.messages.delete(RECORDED_ID, "abc"),
                    lambda: xbl.messages.delete_conversation(RECORDED_ID)):
            with pytest.raises(InvalidArgument):
                await call(bad())
        with pytest.raises(InvalidArgument):
            xbl.messages.conversation("0")
        assert len(sb.requests) == before


@KINDS
async def test_a_message_is_never_sent_twice(kind: str, sb: Sandbox, clock: FakeClock) -> None:
    friend = friends_written_to(sb)[0]
    stored = services_world(sb).conversation_with(JOE_XUID, friend)
    assert stored is not None
    count = len(stored.messages)
    async with signed_in(kind, sb, clock) as xbl:
        sb.faults.append(Fault(kind=FaultKind.SERVER_ERROR, host=HOST, method="POST", times=3))
        with pytest.raises(ServerError):
            await call(xbl.messages.send(friend, "once"))
        sb.faults[:] = [Fault(kind=FaultKind.RESET, host=HOST, method="POST", times=3)]
        with pytest.raises(TransportError):
            await call(xbl.messages.send(friend, "only once"))
        sb.faults[:] = [Fault(kind=FaultKind.SERVER_ERROR, host=HOST, method="DELETE", times=3)]
        with pytest.raises(ServerError):
            await call(xbl.messages.delete(stored.id, str(stored.messages[-1].id)))
    posts = [r for r in sb.requests if r.method in ("POST", "DELETE") and HOST in str(r.url)]
    assert len(posts) == 3  # one each
    assert [m.text for m in stored.messages[count:]] == ["only once"]  # served, answer lost


def test_writes_are_built_not_idempotent() -> None:
    assert api.send(JOE_XUID, "hi").call.idempotent is False
    assert api.delete(RECORDED_ID, "1").call.idempotent is False
    assert api.delete_conversation(RECORDED_ID, "1").call.idempotent is False
    assert api.inbox().page(None, None, None).idempotent is True


# -- the command line ---------------------------------------------------------------------------

def test_cli_inbox_and_one_conversation() -> None:
    sb = cli_sandbox()
    friend = friends_written_to(sb)[0]
    name = sb.world.by_xuid[friend].gamertag
    inbox = xbox_cli(sb, "messages")
    assert inbox.exit_code == 0, inbox.stderr
    assert "4 conversations" in inbox.stderr
    rows = [line.split("\t") for line in inbox.stdout.splitlines()]
    assert rows[0][0] == "Xbox" and rows[1][0] == name and rows[0][3] == "no"
    data = json.loads(xbox_cli(sb, "messages", "--json").stdout)
    assert set(data[0]) == {"conversation_id", "xuid", "gamertag", "last_message",
                            "last_sender", "sent", "read", "raw"}
    assert data[1]["xuid"] == friend and data[1]["gamertag"] == name
    talk = xbox_cli(sb, "messages", name, "--limit", "2")
    stored = services_world(sb).conversation_with(JOE_XUID, friend)
    assert stored is not None
    assert [line.split("\t")[2] for line in talk.stdout.splitlines()] == [
        m.text for m in stored.messages[-2:]]  # the latest two, oldest first
    as_json = json.loads(xbox_cli(sb, "messages", friend, "--json").stdout)
    assert [m["message_id"] for m in as_json] == [str(m.id) for m in stored.messages]
    assert set(as_json[0]) == {"message_id", "conversation_id", "sender", "gamertag", "text",
                               "sent", "deleted", "raw"}
    assert xbox_cli(sb, "messages", "NoSuchGamer99").exit_code == 3


def test_cli_send_and_dry_run() -> None:
    sb = cli_sandbox()
    friend = friends_written_to(sb)[0]
    name = sb.world.by_xuid[friend].gamertag or ""
    stored = services_world(sb).conversation_with(JOE_XUID, friend)
    assert stored is not None
    count = len(stored.messages)
    dry = xbox_cli(sb, "send", name, "see you at eight", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert dry.stdout.startswith(f"would send: POST https://{HOST}/network/Xbox/users/me/"
                                 f"conversations/users/xuid({friend})")
    assert len(stored.messages) == count
    sent = json.loads(xbox_cli(sb, "send", name, "see you at eight", "--json").stdout)
    assert sent["dry_run"] is False and sent["xuid"] == friend and sent["gamertag"] == name
    assert sent["message_id"] == str(stored.messages[-1].id)
    assert [m.text for m in stored.messages[count:]] == ["see you at eight"]
    human = xbox_cli(sb, "send", friend, "and again")
    assert human.stdout.startswith(f"Sent to {name} (message ")
    long = xbox_cli(sb, "send", name, "x" * 257)
    assert long.exit_code == 2 and "256" in long.stderr
    assert len(stored.messages) == count + 2
