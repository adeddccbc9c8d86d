"""achievements.xboxlive.com: Xbox One (contract 2) and Xbox 360 (contract 1) lists,
details, history.

The service names users only as ``xuid(N)`` (no ``me``). Every list pages (32 per page by
default) with ``continuationToken``.
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import quote

from .._core.call import Call, api_call
from ..exceptions import InvalidArgument, MalformedResponse
from ..ids import check_scid, check_title_id
from ..models.achievements import Achievement, Achievement360, TitleProgress, TitleProgress360
from ..models.base import XboxModel, parse_records
from . import Errors, ForUser, Pages, Request

__all__ = ["HOST", "ORDERS", "detail", "history", "history_360", "one_title_360", "progress"]

HOST = "achievements.xboxlive.com"
V2 = 2  # Xbox One
V1 = 1  # Xbox 360
ORDERS = ("unordered", "title", "unlocktime", "endingsoon")
M = TypeVar("M", bound=XboxModel)


def _pages(model: type[M], key: str, suffix: str, params: dict[str, Any],
           contract_version: int) -> Pages[M]:
    def page(who: str | None, token: str | None, size: int | None) -> Call:
        query = dict(params)
        if size:
            query["maxItems"] = size
        if token:
            query["continuationToken"] = token
        return api_call("GET", HOST, f"/users/xuid({who}){suffix}", params=query,
                        contract_version=contract_version)

    def read(body: Any, errors: Errors, call: Call) -> tuple[list[M], Any]:
        if not isinstance(body, dict):
            raise MalformedResponse(f"{HOST} sent no {key} list", body=body, service=HOST)
        paging = body.get("pagingInfo")
        return (parse_records(model, body.get(key, []), errors, warn=False),
                paging.get("continuationToken") if isinstance(paging, dict) else None)

    return Pages(page, read, needs_xuid=True)


def progress(title_id: int | str | None, unlocked_only: bool,
             order_by: str | None) -> Pages[Achievement]:
    """Xbox One achievements with a user's progress: one title's, or every title's."""
    params: dict[str, Any] = {}
    if title_id is not None:
        params["titleId"] = check_title_id(title_id)
    if unlocked_only:
        params["unlockedOnly"] = "true"
    if order_by is not None:
        if not isinstance(order_by, str) or order_by.lower() not in ORDERS:
            raise InvalidArgument("order_by is one of Unordered, Title, UnlockTime, EndingSoon; "
                                  f"not {order_by!r}"[:120])
        params["orderBy"] = order_by
    return _pages(Achievement, "achievements", "/achievements", params, V2)


def one_title_360(title_id: int | str, earned_only: bool) -> Pages[Achievement360]:
    """Xbox 360 achievements of one title: all of them, or only the earned ones."""
    params = {"titleId": check_title_id(title_id)}
    suffix = "/achievements" if earned_only else "/titleachievements"
    return _pages(Achievement360, "achievements", suffix, params, V1)


def history() -> Pages[TitleProgress]:
    """Xbox One titles with achievement progress."""
    return _pages(TitleProgress, "titles", "/history/titles", {}, V2)


def history_360() -> Pages[TitleProgress360]:
    """Xbox 360 titles played."""
    return _pages(TitleProgress360, "titles", "/history/titles", {}, V1)


def detail(scid: str, achievement_id: str | int) -> ForUser[Achievement]:
    """One Xbox One achievement with a user's progress on it."""
    scid = check_scid(scid)
    ident = str(achievement_id).strip()
    if not ident or "/" in ident or len(ident) > 64:
        raise InvalidArgument(f"an achievement id looks like '39', not {achievement_id!r}"[:120])

    def read(body: Any) -> Achievement:
        items = body.get("achievements") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            raise MalformedResponse(f"{HOST} sent no achievement", body=body, service=HOST)
        return Achievement.from_wire(items[0])

    def request(who: str) -> Request[Achievement]:
        call = api_call("GET", HOST, f"/users/xuid({who})/achievements/{quote(scid, safe='')}/"
                                     f"{quote(ident, safe='')}", contract_version=V2)
        return Request(call, read, not_found_message=
                       f"Could not find achievement: xuid={who}, scid={scid}, id={ident}")

    return request
