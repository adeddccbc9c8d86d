"""achievements: Xbox One (contract 2) and Xbox 360 (contract 1) lists, details, history.

The service names users only by xuid, so the signed-in user's is put in when none is
given. Every list auto-pages (32 per page by default).
"""

from __future__ import annotations

from ..._api import achievements
from ...models.achievements import Achievement, Achievement360, TitleProgress, TitleProgress360
from ..paging import AsyncPaginator
from ._base import AsyncResource

__all__ = ["AsyncAchievements"]


class AsyncAchievements(AsyncResource):
    """``xbl.achievements``: achievements.xboxlive.com."""

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
            InvalidArgument: a malformed xuid, title id or order.
        """
        pages = achievements.progress(title_id, unlocked_only, order_by)
        return self._paginate(pages, xuid, limit, page_size)

    def list_360(self, xuid: str | int | None, title_id: int | str, *,
                 earned_only: bool = False, limit: int | None = None,
                 page_size: int | None = None) -> AsyncPaginator[Achievement360]:
        """Xbox 360 achievements of one title: all of them, or only the earned ones
        (``xuid`` None: the signed-in user's)."""
        return self._paginate(achievements.one_title_360(title_id, earned_only), xuid, limit,
                              page_size)

    async def get(self, xuid: str | int | None, scid: str, achievement_id: str | int) -> Achievement:
        """One Xbox One achievement with the user's progress on it.

        Args:
            xuid: whose progress (None: the signed-in user).
            scid: the title's service configuration id.
            achievement_id: the achievement's id within that SCID.

        Raises:
            NotFoundException: no such user, SCID or achievement.
            InvalidArgument: a malformed argument.
        """
        request = achievements.detail(scid, achievement_id)
        return await self._fetch(request(await self._xuid(xuid)))

    def history(self, xuid: str | int | None = None, *, limit: int | None = None,
                page_size: int | None = None) -> AsyncPaginator[TitleProgress]:
        """Xbox One titles a user has achievement progress in, with Gamerscore totals."""
        return self._paginate(achievements.history(), xuid, limit, page_size)

    def history_360(self, xuid: str | int | None = None, *, limit: int | None = None,
                    page_size: int | None = None) -> AsyncPaginator[TitleProgress360]:
        """Xbox 360 titles a user has played, most recent first."""
        return self._paginate(achievements.history_360(), xuid, limit, page_size)
