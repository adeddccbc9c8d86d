"""clips and screenshots: recent, saved, by title, single; every list auto-pages."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from ...exceptions import ClipNotFound, MalformedResponse, NotFoundException, ScreenshotNotFound
from ...models.base import parse_records
from ...models.captures import Clip, Screenshot
from ..paging import AsyncPaginator
from ._base import AsyncResource, user_path, validate_xuid

__all__ = ["AsyncClips", "AsyncScreenshots"]

C = TypeVar("C", Clip, Screenshot)


class _AsyncCaptures(AsyncResource, Generic[C]):
    model: type[C]
    noun: str  # "clips" | "screenshots" (path segment)
    list_key: str  # "gameClips" | "screenshots"
    single_key: str  # "gameClip" | "screenshot"
    not_found: type[NotFoundException]
    contract_version: int

    def _list(self, path: str, limit: int | None, page_size: int | None) -> AsyncPaginator[C]:
        errors: list[MalformedResponse] = []

        async def fetch(token: str | None, size: int | None) -> tuple[list[C], str | None]:
            params: dict[str, Any] = {}
            if size:
                params["maxItems"] = size
            if token:
                params["continuationToken"] = token
            body = await self._client._json("GET", self.host, path, params=params,
                                            contract_version=self.contract_version)
            if not isinstance(body, dict):
                raise MalformedResponse(f"{self.host} sent no {self.noun} list", body=body)
            items = parse_records(self.model, body.get(self.list_key, []), errors)
            paging = body.get("pagingInfo") or {}
            return items, paging.get("continuationToken") if isinstance(paging, dict) else None

        return AsyncPaginator(fetch, limit=limit, page_size=page_size, errors=errors)

    def _path(self, xuid: str | int | None, title_id: int | str | None, saved: bool) -> str:
        path = f"/users/{user_path(xuid)}"
        if title_id is not None:
            path += f"/titles/{int(title_id)}"
        path += f"/{self.noun}"
        return path + "/saved" if saved else path

    def recent(self, xuid: str | int | None = None, *, title_id: int | str | None = None,
               limit: int | None = None, page_size: int | None = None) -> AsyncPaginator[C]:
        """Every capture of a user (the signed-in one by default), newest first."""
        return self._list(self._path(xuid, title_id, False), limit, page_size)

    def saved(self, xuid: str | int | None = None, *, title_id: int | str | None = None,
              limit: int | None = None, page_size: int | None = None) -> AsyncPaginator[C]:
        """Only the captures the user saved (kept past the automatic expiry)."""
        return self._list(self._path(xuid, title_id, True), limit, page_size)

    def community(self, title_id: int | str, *, saved: bool = False, limit: int | None = None,
                  page_size: int | None = None) -> AsyncPaginator[C]:
        """Public captures of a title by everyone."""
        path = f"/public/titles/{int(title_id)}/{self.noun}" + ("/saved" if saved else "")
        return self._list(path + "?qualifier=created", limit, page_size)

    async def get(self, xuid: str | int, scid: str, capture_id: str) -> C:
        """One capture by its owner's xuid, its SCID and its id.

        Raises:
            ClipNotFound / ScreenshotNotFound: no such capture.
        """
        xuid = validate_xuid(xuid)
        kind = self.model.kind
        what = f"xuid={xuid}, scid={scid}, {kind}_id={capture_id}"
        body = await self._client._json(
            "GET", self.host, f"/users/xuid({xuid})/scids/{scid}/{self.noun}/{capture_id}",
            contract_version=self.contract_version, not_found=self.not_found,
            not_found_message=f"Could not find {kind}: {what}")
        item = body.get(self.single_key) if isinstance(body, dict) else None
        if item is None:
            raise MalformedResponse(f"{self.host} sent no {self.single_key}", body=body)
        return self.model.from_wire(item)


class AsyncClips(_AsyncCaptures[Clip]):
    """``xbl.clips``: game clips from gameclipsmetadata.xboxlive.com."""

    host = "gameclipsmetadata.xboxlive.com"
    model = Clip
    noun = "clips"
    list_key = "gameClips"
    single_key = "gameClip"
    not_found = ClipNotFound
    contract_version = 1


class AsyncScreenshots(_AsyncCaptures[Screenshot]):
    """``xbl.screenshots``: screenshots from screenshotsmetadata.xboxlive.com."""

    host = "screenshotsmetadata.xboxlive.com"
    model = Screenshot
    noun = "screenshots"
    list_key = "screenshots"
    single_key = "screenshot"
    not_found = ScreenshotNotFound
    contract_version = 5
