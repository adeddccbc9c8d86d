"""cqs.xboxlive.com (contract ``1.b``): a TV lineup's channels and their schedule, as both
peers ask for them (the ``vesper_mobile_*`` views)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from .._core.call import api_call
from ..exceptions import InvalidArgument
from ..models.base import parse_records
from ..models.cqs import Channel, ChannelSchedule
from . import Request, items_of

__all__ = ["HOST", "channels", "schedule"]

HOST = "cqs.xboxlive.com"
CONTRACT = "1.b"
_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_HEADEND = re.compile(r"[A-Za-z0-9-]{1,64}")


def _lineup(locale: str, headend_id: str) -> str:
    if not isinstance(locale, str) or not _LOCALE.fullmatch(locale):
        raise InvalidArgument(f"a locale looks like 'en-US', not {locale!r}"[:120])
    if not isinstance(headend_id, str) or not _HEADEND.fullmatch(headend_id):
        raise InvalidArgument(f"a headend id is a GUID, not {headend_id!r}"[:120])
    return f"/epg/{quote(locale)}/lineups/{quote(headend_id)}"


def _headers() -> dict[str, str]:
    return {"x-xbl-contract-version": CONTRACT}


def channels(headend_id: str, locale: str) -> Request[list[Channel]]:
    """The lineup's channels."""
    call = api_call("GET", HOST, f"{_lineup(locale, headend_id)}/channels",
                    params={"desired": "vesper_mobile_lineup"}, headers=_headers())
    return Request(call, lambda body: parse_records(Channel, items_of(body, "Channels", HOST)),
                   not_found_message=f"No such lineup: {headend_id}")


def _when(start: datetime | str) -> str:
    if isinstance(start, datetime):
        moment = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if not isinstance(start, str) or not start.strip():
        raise InvalidArgument(f"start is a datetime or 2016-07-11T21:50:00.000Z, not {start!r}")
    return start.strip()


def schedule(headend_id: str, start: datetime | str, minutes: int, channel_skip: int,
             channel_count: int, locale: str) -> Request[list[ChannelSchedule]]:
    """What ``channel_count`` channels (after ``channel_skip``) show for ``minutes`` from
    ``start``."""
    for name, value, least in (("minutes", minutes, 1), ("channel_skip", channel_skip, 0),
                               ("channel_count", channel_count, 1)):
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise InvalidArgument(f"{name} is a whole number of at least {least}, not {value!r}")
    params: dict[str, Any] = {"startDate": _when(start), "durationMinutes": minutes,
                              "channelSkip": channel_skip, "channelCount": channel_count,
                              "desired": "vesper_mobile_schedule"}
    call = api_call("GET", HOST, f"{_lineup(locale, headend_id)}/programs", params=params,
                    headers=_headers())
    return Request(call,
                   lambda body: parse_records(ChannelSchedule, items_of(body, "Channels", HOST)),
                   not_found_message=f"No such lineup: {headend_id}")
