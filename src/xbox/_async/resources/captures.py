"""clips and screenshots: recent, saved, by title, single, the user's own from mediahub;
every list auto-pages."""

from __future__ import annotations

from typing import Generic, TypeVar

from ..._api import captures
from ...exceptions import MalformedResponse
from ...models.captures import Clip, Screenshot
from ..paging import AsyncPaginator
from ._base import AsyncResource

__all__ = ["AsyncClips", "AsyncScreenshots"]

C = TypeVar("C", Clip, Screenshot)


class _AsyncCaptures(AsyncResource, Generic[C]):
    kind: captures.Kind[C]

    def recent(self, xuid: str | int | None = None, *, title_id: int | str | None = None,
               limit: int | None = None, page_size: int | None = None) -> AsyncPaginator[C]:
        """Every capture of a user (the signed-in one by default), newest first.

        Args:
            xuid: whose captures.
            title_id: only this title's.
            limit: stop after this many.
            page_size: captures per request (the service's default and most is 100).
        """
        return self._paginate(self.kind.listing(self.kind.path(xuid, title_id, False)), None,
                              limit, page_size)

    def saved(self, xuid: str | int | None = None, *, title_id: int | str | None = None,
              limit: int | None = None, page_size: int | None = None) -> AsyncPaginator[C]:
        """Only the captures the user saved (kept past the automatic expiry)."""
        return self._paginate(self.kind.listing(self.kind.path(xuid, title_id, True)), None,
                              limit, page_size)

    def community(self, title_id: int | str, *, saved: bool = False, limit: int | None = None,
                  page_size: int | None = None) -> AsyncPaginator[C]:
        """Public captures of a title by everyone."""
        return self._paginate(self.kind.listing(self.kind.community_path(title_id, saved)),
                              None, limit, page_size)

    async def get(self, xuid: str | int, scid: str, capture_id: str) -> C:
        """One capture by its owner's xuid, its SCID and its id.

        Raises:
            ClipNotFound / ScreenshotNotFound: no such capture.
        """
        return await self._fetch(self.kind.single(xuid, scid, capture_id))

    def mine(self, *, title_id: int | str | None = None, limit: int | None = None,
             page_size: int | None = None) -> AsyncPaginator[C]:
        """The signed-in user's own captures from mediahub, newest first.

        Mediahub is where the Xbox app reads them; it has the captures of newer titles
        that :meth:`recent` (the metadata lists) leaves out. Records are
        :class:`~xbox.models.MediahubClip` / :class:`~xbox.models.MediahubScreenshot`,
        which read like the metadata ones (``clip.id``, ``clip.download``...).

        Args:
            title_id: only this title's captures.
            limit: stop after this many.
            page_size: captures per request (mediahub's ``max``; 500 by default).

        Raises:
            PermissionDenied / AuthenticationException: mediahub refused the sign-in (it
                wants tokens with device and title claims, as the Xbox app's).
        """
        return self._paginate(self.kind.mine(title_id), None, limit, page_size)

    async def refresh(self, capture: C) -> C:
        """The same capture fetched anew, with fresh signed URLs (they live about an hour),
        from the service that listed it.

        Raises:
            ClipNotFound / ScreenshotNotFound: the capture no longer exists.
        """
        if capture.source == "mediahub":
            owner = capture.xuid or await self._xuid(None)
            return await self._fetch(self.kind.hub_lookup(owner, capture))
        if not capture.xuid or not capture.scid:
            raise MalformedResponse(
                f"{capture.kind} {capture.id} has no xuid or SCID to look it up by")
        return await self.get(capture.xuid, capture.scid, capture.id)


class AsyncClips(_AsyncCaptures[Clip]):
    """``xbl.clips``: game clips (gameclipsmetadata.xboxlive.com, and mediahub)."""

    kind = captures.CLIPS


class AsyncScreenshots(_AsyncCaptures[Screenshot]):
    """``xbl.screenshots``: screenshots (screenshotsmetadata.xboxlive.com, and mediahub)."""

    kind = captures.SCREENSHOTS
