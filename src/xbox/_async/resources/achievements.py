"""achievements: Xbox One (contract 2) and Xbox 360 (contract 1) lists, details, history.

The service names users only as ``xuid(N)`` (no ``me``), so the signed-in user's xuid is
looked up from the session when none is given. Every list auto-pages (32 per page by
default) with ``continuationToken``.
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import quote

from ...exceptions import InvalidArgument, MalformedResponse, NotFoundException
from ...models.achievements import Achievement, Achievement360, TitleProgress, TitleProgress360
from ...models.base import XboxModel, parse_records
from ..paging import AsyncPaginator
from ._base import AsyncResource, validate_title_id, validate_xuid

__all__ = ["AsyncAchievements"]

M = TypeVar("M", bound=XboxModel)

V2 = 2  # Xbox One
V1 = 1  # Xbox 360
ORDERS = ("unordered", "title", "unlocktime", "endingsoon")


class AsyncAchievements(AsyncResource):
    """``xbl.achievements``: achievements.xboxlive.com."""

    host = "achievements.xboxlive.com"

    def _list(self, model: type[M], key: str, xuid: str | int | None, suffix: str,
              params: dict[str, Any], contract_version: int, limit: int | None,
              page_size: int | None) -> AsyncPaginator[M]:
        errors: list[MalformedResponse] = []
        if xuid is not None:
            xuid = validate_xuid(xuid)  # fail before any request, not on first iteration

        async def fetch(token: str | None, size: int | None) -> tuple[list[M], str | None]:
            who = await self._xuid(xuid)
            query = dict(params)
            if size:
                query["maxItems"] = size
            if token:
                query["continuationToken"] = token
            body = await self._client._json(
                "GET", self.host, f"/users/xuid({who}){suffix}", params=query,
                contract_version=contract_version)
            if not isinstance(body, dict):
                raise MalformedResponse(f"{self.host} sent no {key} list", body=body,
                                        service=self.host)
            items = parse_records(model, body.get(key, []), errors, warn=False)
            paging = body.get("pagingInfo")
            token = paging.get("continuationToken") if isinstance(paging, dict) else None
            return items, token

        return AsyncPaginator(fetch, limit=limit, page_size=page_size, errors=errors)

    def list(self, xuid: str | int | None = None, *, title_id: int | str | None = None,
             limit: int | None = None, unlocked_only: bool = False,
             order_by: str | None = None, page_size: int | None = None,
             ) -> AsyncPaginator[Achievement]:
        """Xbox One achievements of a user: one title's, or of every title played.

        Args:
            xuid: whose progress (default: the signed-in user).
            title_id: only this title's achievements.
            limit: stop after this many (None: all of them, page after page).
            unlocked_only: only the earned ones.
            order_by: ``"Unordered"``, ``"Title"``, ``"UnlockTime"`` or ``"EndingSoon"``.
            page_size: achievements per request (the service's default is 32).

        Returns:
            An auto-paging iterator of :class:`~xbox.models.Achievement`; its ``errors``
            collects records that could not be read.

        Raises:
            ValueError: a malformed xuid, title id or order.
        """
        params: dict[str, Any] = {}
        if title_id is not None:
            params["titleId"] = validate_title_id(title_id)
        if unlocked_only:
            params["unlockedOnly"] = "true"
        if order_by is not None:
            if order_by.lower() not in ORDERS:
                raise InvalidArgument(f"order_by is one of Unordered, Title, UnlockTime, EndingSoon; "
                                 f"not {order_by!r}")
            params["orderBy"] = order_by
        return self._list(Achievement, "achievements", xuid, "/achievements", params, V2,
                          limit, page_size)

    def list_360(self, xuid: str | int | None, title_id: int | str, *,
                 earned_only: bool = False, limit: int | None = None,
                 page_size: int | None = None) -> AsyncPaginator[Achievement360]:
        """Xbox 360 achievements of one title: all of them, or only the earned ones.

        Args:
            xuid: whose progress (None: the signed-in user).
            title_id: the Xbox 360 title.
            earned_only: only the earned ones (the service's ``/achievements``; else
                ``/titleachievements``).
            limit: stop after this many.

        Returns:
            An auto-paging iterator of :class:`~xbox.models.Achievement360`.

        Raises:
            ValueError: a malformed xuid or title id.
        """
        params = {"titleId": validate_title_id(title_id)}
        suffix = "/achievements" if earned_only else "/titleachievements"
        return self._list(Achievement360, "achievements", xuid, suffix, params, V1, limit,
                          page_size)

    async def get(self, xuid: str | int | None, scid: str, achievement_id: str | int) -> Achievement:
        """One Xbox One achievement with the user's progress on it.

        Args:
            xuid: whose progress (None: the signed-in user).
            scid: the title's service configuration id.
            achievement_id: the achievement's id within that SCID.

        Returns:
            The :class:`~xbox.models.Achievement`.

        Raises:
            NotFoundException: no such user, SCID or achievement.
            ValueError: a malformed argument.
        """
        if xuid is not None:
            xuid = validate_xuid(xuid)
        scid = str(scid).strip()
        if not scid or "/" in scid:
            raise InvalidArgument(f"a SCID looks like 1370999b-fca2-4c53-8ec5-73493bcb67e5, not {scid!r}")
        ident = str(achievement_id).strip()
        if not ident or "/" in ident:
            raise InvalidArgument(f"an achievement id looks like '39', not {achievement_id!r}")
        who = await self._xuid(xuid)
        body = await self._client._json(
            "GET", self.host,
            f"/users/xuid({who})/achievements/{quote(scid, safe='')}/{quote(ident, safe='')}",
            contract_version=V2, not_found=NotFoundException,
            not_found_message=f"Could not find achievement: xuid={who}, scid={scid}, id={ident}")
        items = body.get("achievements") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            raise MalformedResponse(f"{self.host} sent no achievement", body=body,
                                    service=self.host)
        return Achievement.from_wire(items[0])

    def history(self, xuid: str | int | None = None, *, limit: int | None = None,
                page_size: int | None = None) -> AsyncPaginator[TitleProgress]:
        """Xbox One titles a user has achievement progress in, with Gamerscore totals.

        Args:
            xuid: whose history (default: the signed-in user).
            limit: stop after this many titles.

        Returns:
            An auto-paging iterator of :class:`~xbox.models.TitleProgress`.
        """
        return self._list(TitleProgress, "titles", xuid, "/history/titles", {}, V2, limit,
                          page_size)

    def history_360(self, xuid: str | int | None = None, *, limit: int | None = None,
                    page_size: int | None = None) -> AsyncPaginator[TitleProgress360]:
        """Xbox 360 titles a user has played, most recent first.

        Args:
            xuid: whose history (default: the signed-in user).
            limit: stop after this many titles.

        Returns:
            An auto-paging iterator of :class:`~xbox.models.TitleProgress360`.
        """
        return self._list(TitleProgress360, "titles", xuid, "/history/titles", {}, V1, limit,
                          page_size)
