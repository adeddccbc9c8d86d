"""xbl.cqs (cqs.xboxlive.com, contract 1.b): a lineup's channels and schedule, against the
sandbox and the two recorded bodies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from xbox.exceptions import InvalidArgument, NotFoundException
from xbox.models import Channel, ChannelSchedule
from xbox.models.base import parse_records
from xbox.sandbox import Sandbox
from xbox.sandbox.services.cqs import HEADEND_ID

from .service_clients import recorded, sent, signed_in
from .twins import call

HOST = "cqs.xboxlive.com"
NOON = datetime(2026, 11, 1, 12, tzinfo=UTC)


@pytest.fixture(params=["sync", "async"])
async def xbl(request: pytest.FixtureRequest, sandbox: Sandbox) -> AsyncIterator[Any]:
    async with signed_in(request.param, sandbox) as client:
        yield client


def test_recorded_bodies_read() -> None:
    channels = parse_records(Channel, recorded("cqs_get_channel_list.json")["Channels"])
    assert len(channels) == 8 and {c.is_hd for c in channels} == {True, False}
    assert channels[0].call_sign == "SKYSELEC" and channels[0].images[0].resize_uri
    schedule = parse_records(ChannelSchedule, recorded("cqs_get_schedule.json")["Channels"])
    programs = [p for c in schedule for p in c.programs]
    assert programs and all(p.name and p.start_date and p.end_date for p in programs)
    assert any(p.parent_series for p in programs) and any(p.images for p in programs)


async def test_channels(xbl: Any, sandbox: Sandbox) -> None:
    channels = await call(xbl.cqs.channels(HEADEND_ID))
    assert [c.channel_number for c in channels] == ["101", "102", "103", "104", "105", "106"]
    request = sent(sandbox, HOST)[-1]
    assert request.url.path == f"/{HOST}/epg/en-US/lineups/{HEADEND_ID}/channels"
    assert request.headers["x-xbl-contract-version"] == "1.b"
    assert request.url.params["desired"] == "vesper_mobile_lineup"
    with pytest.raises(NotFoundException):
        await call(xbl.cqs.channels("00000000-0000-0000-0000-000000000000"))


async def test_schedule(xbl: Any, sandbox: Sandbox) -> None:
    listed = await call(xbl.cqs.schedule(HEADEND_ID, NOON, 60, channel_skip=1, channel_count=2))
    assert [c.name for c in listed] == ["Sandbox Sports", "Sandbox Kids"]
    kids = listed[1].programs
    assert len(kids) == 2 and kids[0].start_date == NOON  # two half-hour shows
    params = sent(sandbox, HOST)[-1].url.params
    assert (params["startDate"], params["durationMinutes"], params["channelSkip"],
            params["channelCount"], params["desired"]) == (
        "2026-11-01T12:00:00.000Z", "60", "1", "2", "vesper_mobile_schedule")
    for bad in ({"minutes": 0}, {"channel_count": 0}, {"start": ""}):
        with pytest.raises(InvalidArgument):
            await call(xbl.cqs.schedule(HEADEND_ID, **{"start": NOON, **bad}))
