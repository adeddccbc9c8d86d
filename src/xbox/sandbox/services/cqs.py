"""cqs.xboxlive.com: the TV listings a console's OneGuide shows (one sandbox lineup).

Shapes from ``cqs_get_channel_list.json`` and ``cqs_get_schedule.json``; requests as both
peers send them (``x-xbl-contract-version: 1.b``; other versions get an empty 406):

* ``GET /epg/{locale}/lineups/{headendId}/channels?desired=vesper_mobile_lineup``
* ``GET /epg/{locale}/lineups/{headendId}/programs?startDate=…&durationMinutes=…
  &channelSkip=…&channelCount=…&desired=vesper_mobile_schedule``

The sandbox has one lineup, :data:`HEADEND_ID`, of six channels. Their schedules repeat
every day: news channels run half-hour shows (the recorded program layout with
``Description``, ``Images`` and ``ParentSeries``), the others hour-long ones, and the
"Sandbox Select" channel a single all-day block (the recorded minimal layout). A program
listed for a window is any that overlaps it. Assumptions: an unknown lineup is an empty 404,
a malformed window an empty 400.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import httpx

from .._http import Call, json_response, route
from ._wire import bad_request, contract, not_found

if TYPE_CHECKING:
    from ..app import Sandbox

HOST = r"cqs\.xboxlive\.com"
HEADEND_ID = "5B6E2A3C-7D41-4F2E-9A8B-0C1D2E3F4A5B"
MAX_MINUTES = 60 * 24 * 7
# (call sign, number, name, HD, minutes per show or 0 for one all-day block, shows, genres)
_CHANNELS = [
    ("SBXNEWS", "101", "Sandbox News", True, 30,
     ["Morning Briefing", "World Today", "Market Watch", "Sport Today"], ["newscast"]),
    ("SBXSPORT", "102", "Sandbox Sports", True, 60,
     ["Match of the Week", "Highlights", "Esports Live"], ["sports stuff"]),
    ("SBXKIDS", "103", "Sandbox Kids", False, 30,
     ["Pixel Pals", "The Badger Show", "Comet Club"], ["children"]),
    ("SBXMOVIE", "104", "Sandbox Movies", True, 60,
     ["Feature Presentation", "Classic Cinema"], ["movie"]),
    ("SBXDOCS", "105", "Sandbox Documentaries", False, 60,
     ["Inside the Console", "The History of Pixels"], ["documentary"]),
    ("SBXSELEC", "106", "Sandbox Select", False, 0, ["Programme from Sandbox Select"],
     ["other"]),
]


def _guid(*parts: object) -> str:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=5))


def _time(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _logo(*parts: object) -> list[dict[str, str]]:
    token = hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()
    return [{"Purpose": "Logo", "ResizeUri": f"http://images-eds.xboxlive.com/image?url={token}",
             "ForeColor": "White"}]


def _channel_id(sign: str) -> str:
    return _guid("channel", sign)


def _channel(entry: tuple[Any, ...]) -> dict[str, Any]:
    sign, number, _name, hd = entry[:4]
    out: dict[str, Any] = {"Id": f"{_channel_id(sign)}_{sign}_{number}",
                           "ChannelId": _channel_id(sign), "CallSign": sign,
                           "ChannelNumber": number}
    if hd:  # as recorded, the key is there only on HD channels
        out["IsHD"] = True
    out.update({"StartDate": "2017-06-20T22:00:00Z", "EndDate": "2099-01-01T22:59:59Z",
                "Images": _logo("channel", sign)})
    return out


def _programs(entry: tuple[Any, ...], start: datetime, end: datetime) -> list[dict[str, Any]]:
    sign, _number, name, _hd, minutes, shows, genres = entry
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    out = []
    if minutes == 0:
        when = day
        while when < end:
            show = shows[0]
            if when + timedelta(days=1) > start:
                out.append({"Id": _guid(sign, show), "MediaItemType": "TVShow",
                            "StartDate": _time(when), "EndDate": _time(when + timedelta(days=1)),
                            "Name": show, "IsRepeat": True, "ParentalControl": {},
                            "Genres": [{"Name": g} for g in genres], "CategoryId": 0})
            when += timedelta(days=1)
        return out
    step = timedelta(minutes=minutes)
    slot = (start - day) // step
    when = day + slot * step
    while when < end:
        index = int((when - datetime(2000, 1, 1, tzinfo=UTC)) // step)
        show = shows[index % len(shows)]
        series = _guid(sign, show)
        out.append({
            "Id": series, "MediaItemType": "TVSeries", "StartDate": _time(when),
            "EndDate": _time(when + step), "Name": show,
            "Description": f"{show} on {name}.", "IsRepeat": True,
            "Images": _logo("show", sign, show), "ParentalControl": {},
            "Genres": [{"Name": g} for g in genres],
            "ParentSeries": {"Id": series, "Name": show}, "CategoryId": 0,
        })
        when += step
    return out


def _lineup(sb: Sandbox, call: Call, headend: str) -> httpx.Response | None:
    if isinstance(refused := contract(sb, call, "cqs"), httpx.Response):
        return refused
    if unquote(headend).upper() != HEADEND_ID:
        return not_found(sb)
    return None


@route("GET", HOST, r"/epg/(?P<locale>[^/]+)/lineups/(?P<headend>[^/]+)/channels", service="cqs")
def channels(sb: Sandbox, call: Call, locale: str, headend: str) -> httpx.Response:
    if (refused := _lineup(sb, call, headend)) is not None:
        return refused
    return json_response(200, {"Channels": [_channel(c) for c in _CHANNELS]},
                         headers=sb.xbl_headers())


@route("GET", HOST, r"/epg/(?P<locale>[^/]+)/lineups/(?P<headend>[^/]+)/programs", service="cqs")
def programs(sb: Sandbox, call: Call, locale: str, headend: str) -> httpx.Response:
    """The programs of ``channelCount`` channels after ``channelSkip``, over the window."""
    if (refused := _lineup(sb, call, headend)) is not None:
        return refused
    params = call.params
    try:
        start = datetime.fromisoformat(params["startDate"].replace("Z", "+00:00"))
        minutes = int(params.get("durationMinutes", "60"))
        skip = int(params.get("channelSkip", "0"))
        count = int(params.get("channelCount", str(len(_CHANNELS))))
    except (KeyError, ValueError):
        return bad_request(sb)
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    if not 0 < minutes <= MAX_MINUTES or skip < 0 or count <= 0:
        return bad_request(sb)
    end = start + timedelta(minutes=minutes)
    body = {"Channels": [{"Id": _channel(c)["Id"], "Name": c[2], "Images": _logo("channel", c[0]),
                          "Programs": _programs(c, start, end)}
                         for c in _CHANNELS[skip:skip + count]]}
    return json_response(200, body, headers=sb.xbl_headers())
