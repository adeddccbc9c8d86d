"""Fuzzing every reader of an Xbox Live answer: the recorded bodies, damaged at random.

Each recorded body (tests/fixtures/recorded/) is read by the endpoint spec that reads that
answer (``xbox._api``: its models and, for lists, the paging cursor). Hypothesis replaces,
deletes or retypes up to three nodes anywhere in the body, or the whole body. Whatever comes,
a reader returns records or raises one of ours (``XboxException``: ``MalformedResponse``,
``NotFoundException``); a ``TypeError``, ``KeyError``, pydantic ``ValidationError`` or
anything else escaping is a bug.

CI runs a short, derandomized profile (``ci``); ``make fuzz`` runs the ``fuzz`` profile,
thousands of cases per reader, with a fresh seed each time.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xbox._api import (
    Batch,
    Pages,
    Request,
    achievements,
    catalog,
    consoles,
    cqs,
    lists,
    messages,
    people,
    presence,
    profiles,
    search,
    stats,
    titles,
)
from xbox._api.captures import CLIPS, SCREENSHOTS
from xbox._core.paging import Cursor
from xbox.exceptions import XboxException

settings.register_profile("ci", max_examples=40, derandomize=True, database=None,
                          deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=int(os.environ.get("XBOX_FUZZ_EXAMPLES", "3000")),
                          deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("XBOX_FUZZ_PROFILE", "ci"))

RECORDED = Path(__file__).resolve().parent / "fixtures" / "recorded"
XUID = "2533274812246958"
SCID = "1370999b-fca2-4c53-8ec5-73493bcb67e5"
PIN = {"ItemId": "Microsoft.SeaofThieves_8wekyb3d8bbwe"}
CONSOLE = "FD00112233445566"


def _request(spec: Request[Any]) -> Callable[[Any], object]:
    return spec.read


def _pages(spec: Pages[Any]) -> Callable[[Any], object]:
    def read(body: Any) -> object:
        call = spec.page(XUID, None, 25)
        items, token = spec.read(body, [], call)
        return Cursor(None, 25).take(items, token)  # the token as paging would take it
    return read


def _batch(spec: Batch[Any]) -> Callable[[Any], object]:
    return lambda body: spec.read(body, [])


def _capture_lists() -> dict[str, Callable[[Any], object]]:
    """Every recorded capture list: own or by xuid, every title or one, recent or saved, and
    the community's."""
    readers: dict[str, Callable[[Any], object]] = {}
    for kind, prefix in ((CLIPS, "gameclips"), (SCREENSHOTS, "screenshots")):
        for saved, age in ((False, "recent"), (True, "saved")):
            readers[f"{prefix}_{age}_community.json"] = _pages(
                kind.listing(kind.community_path(1, saved)))
            for who, xuid in (("own", None), ("xuid", XUID)):
                readers[f"{prefix}_{age}_{who}.json"] = _pages(
                    kind.listing(kind.path(xuid, None, saved)))
                readers[f"{prefix}_{age}_{who}_titleid.json"] = _pages(
                    kind.listing(kind.path(xuid, 219630713, saved)))
    return readers


# Recorded body -> the reader of that answer. Every recorded answer of an endpoint the
# client reads must be here (test_every_recorded_answer_has_a_reader).
READERS: dict[str, Callable[[Any], object]] = {
    "profile_by_gamertag.json": _request(profiles.lookup("JoeAlcorn", None, ["Gamertag"], 3)),
    "profile_by_xuid.json": _request(profiles.lookup(None, XUID, ["Gamertag"], 3)),
    "profile_batch.json": _batch(profiles.batch([XUID], ["Gamertag"])),
    "people_friends_own.json": _request(people.friends(None, people.DEFAULT_DECORATIONS, [])),
    "people_friends_by_xuid.json": _request(people.friends(XUID, people.DEFAULT_DECORATIONS,
                                                           [])),
    "people_batch.json": _batch(people.batch([XUID], people.DEFAULT_DECORATIONS)),
    "people_summary_own.json": _request(people.summary(None)),
    "people_summary_by_xuid.json": _request(people.summary(XUID)),
    "people_summary_by_gamertag.json": _request(people.summary(None)),
    "presence.json": _request(presence.one(XUID, "all")),
    "presence_own.json": _request(presence.one(None, "all")),
    "presence_batch.json": _batch(presence.batch([XUID], "all", False)),
    "titlehub_titlehistory.json": _request(titles.history(None, titles.DEFAULT_DECORATIONS,
                                                          [])(XUID)),
    "titlehub_titleinfo.json": _request(titles.title(219630713, titles.DEFAULT_DECORATIONS)(XUID)),
    "usersearch_live_search.json": _request(search.gamertags("Joe", [])),
    "achievements_one_gameprogress.json": _pages(achievements.progress(219630713, False, None)),
    "achievements_one_recent_progress.json": _pages(achievements.history()),
    "achievements_one_details.json": _request(achievements.detail(SCID, 1)(XUID)),
    "achievements_360_all.json": _pages(achievements.one_title_360(1297287259, False)),
    "achievements_360_earned.json": _pages(achievements.one_title_360(1297287259, True)),
    "achievements_360_recent_progress.json": _pages(achievements.history_360()),
    **_capture_lists(),
    "mediahub_gameclips_own.json": _pages(CLIPS.mine(None)),
    "mediahub_screenshots_own.json": _pages(SCREENSHOTS.mine(None)),
    "titlehub_batch.json": _batch(titles.batch(["Microsoft.SeaofThieves_8wekyb3d8bbwe"],
                                               titles.DEFAULT_DECORATIONS)),
    "userstats_by_scid.json": _request(stats.by_scid(SCID, ["MinutesPlayed"], False)(XUID)),
    "userstats_by_scid_with_metadata.json": _request(stats.by_scid(SCID, ["MinutesPlayed"],
                                                                       True)(XUID)),
    "userstats_batch.json": _batch(stats.batch([XUID], 219630713, None, ["MinutesPlayed"])),
    "userstats_batch_by_scid.json": _batch(stats.batch([XUID], None, SCID,
                                                           ["MinutesPlayed"])),
    "catalog_browse.json": _batch(catalog.products(["9WZDNCRFJ3TJ"], "browse", "en-US")),
    "catalog_browse_details.json": _batch(catalog.products(["9WZDNCRFJ3TJ"], "details", "en-US")),
    "catalog_product_lookup.json": _request(catalog.lookup("Microsoft.SeaofThieves_8wekyb3d8bbwe",
                                                           "PackageFamilyName", "details", 25,
                                                           "en-US")),
    "catalog_product_lookup_legacy.json": _request(catalog.lookup("1234", "XboxTitleId",
                                                                  "details", 25, "en-US")),
    "catalog_search.json": _request(catalog.search("halo", 5, "windows.xbox", "en-US")),
    "cqs_get_channel_list.json": _request(cqs.channels("DBCA4FB9-6A2C-4E5F-8E1F-2E2A6D28B8F3",
                                                       "en-US")),
    "cqs_get_schedule.json": _request(cqs.schedule("DBCA4FB9-6A2C-4E5F-8E1F-2E2A6D28B8F3",
                                                   "2026-11-01T12:00:00Z", 60, 0, 10, "en-US")),
    "lists_get_items.json": _request(lists.read("XBLPins")(XUID)),
    "list_add_item.json": _request(lists.change("POST", [PIN], "XBLPins")(XUID)),
    "list_delete_item.json": _request(lists.change("DELETE", [PIN], "XBLPins")(XUID)),
    "people_recommendations.json": _request(people.recommendations(people.DEFAULT_DECORATIONS,
                                                                   [])),
    "message_get_inbox.json": _pages(messages.inbox()),
    "message_get_conversation.json": _pages(messages.conversation(XUID)),
    "message_new_conversation.json": _pages(messages.conversation(XUID)),
    "message_send_message.json": _request(messages.send(XUID, "gg")),
    "smartglass_console_list.json": _request(consoles.consoles(True, [])),
    "smartglass_console_status.json": _request(consoles.status(CONSOLE)),
    "smartglass_installed_apps.json": _request(consoles.apps(CONSOLE, [])),
    "smartglass_storage_devices.json": _request(consoles.storage(CONSOLE)),
    "smartglass_op_status.json": _request(consoles.op_status(CONSOLE, "1a2b3c")),
    "smartglass_command.json": _request(consoles.power(CONSOLE, "off").request),
}

# Recorded answers no reader of the client reads (yet): sign-in answers are read by the
# sign-in flows, whose damaged answers the fault matrix covers (tests/test_fault_matrix.py).
NOT_READ_HERE = {"auth_", "xal_", "signing_"}


def _body(name: str) -> Any:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def test_every_recorded_answer_has_a_reader() -> None:
    recorded = {p.name for p in RECORDED.glob("*.json")
                if not any(p.name.startswith(prefix) for prefix in NOT_READ_HERE)}
    missing = recorded - set(READERS)
    assert not missing, f"recorded answers nobody reads: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(READERS))
def test_the_recorded_body_reads(name: str) -> None:
    READERS[name](_body(name))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**70, max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12)


def _paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [here]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*here, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*here, index))
    return found


@st.composite
def damaged(draw: st.DrawFn, name: str) -> Any:
    """The recorded body with up to three nodes replaced, deleted or retyped."""
    body = copy.deepcopy(_body(name))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(body)
        path = draw(st.sampled_from(paths))
        if not path:
            body = draw(JSON)
            continue
        parent = body
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON)
    return body


@pytest.mark.parametrize("name", sorted(READERS))
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_damaged_answer_never_escapes_untyped(name: str, data: st.DataObject) -> None:
    body = data.draw(damaged(name))
    with contextlib.suppress(XboxException):  # typed: what a caller catches
        READERS[name](body)
