"""clips and screenshots: recent, saved, by title, single, the user's own from mediahub;
every list auto-pages."""

from __future__ import annotations

import re
from typing import Any, Generic, TypeVar

from ...exceptions import ClipNotFound, MalformedResponse, NotFoundException, ScreenshotNotFound
from ...models.base import parse_records
from ...models.captures import Clip, MediahubClip, MediahubScreenshot, Screenshot
from ..paging import AsyncPaginator
from ._base import AsyncResource, user_path, validate_title_id, validate_xuid

__all__ = ["AsyncClips", "AsyncScreenshots"]

C = TypeVar("C", Clip, Screenshot)


class _AsyncCaptures(AsyncResource, Generic[C]):
    model: type[C]
    noun: str  # "clips" | "screenshots" (path segment)
    list_key: str  # "gameClips" | "screenshots"
    single_key: str  # "gameClip" | "screenshot"
    not_found: type[NotFoundException]
    contract_version: int
    hub_model: type[C]
    hub_noun: str  # "gameclips" | "screenshots" (mediahub path segment)

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
            items = parse_records(self.model, body.get(self.list_key, []), errors, warn=False)
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

    # -- mediahub: the signed-in user's own captures, every title --------------------------------
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
        title = validate_title_id(title_id) if title_id is not None else None
        errors: list[MalformedResponse] = []

        async def fetch(token: str | None, size: int | None) -> tuple[list[C], str | None]:
            query = f"OwnerXuid eq {await self._xuid(None)}"
            if title is not None:
                query += f" and TitleId eq {title}"
            want = size or MEDIAHUB_PAGE
            skip = 0
            body: dict[str, Any] = {"max": want, "query": query, "skip": 0}
            if token is not None and token.startswith(_SKIP_CURSOR):
                skip = int(token[len(_SKIP_CURSOR):])
                body["skip"] = skip
            elif token:
                body["continuationToken"] = token
            answer = await self._hub_search(body)
            items = parse_records(self.hub_model, answer.get("values", []), errors, warn=False)
            next_token = answer.get("continuationToken")
            if not next_token and len(answer.get("values") or ()) >= want:
                # A full page and no token: ask for what follows by offset, as mediahub's
                # own request body allows (``skip``); an empty page ends the listing.
                next_token = f"{_SKIP_CURSOR}{skip + want}"
            return items, next_token

        return AsyncPaginator(fetch, limit=limit, page_size=page_size, errors=errors)

    async def refresh(self, capture: C) -> C:
        """The same capture fetched anew, with fresh signed URLs (they live about an hour).

        Raises:
            ClipNotFound / ScreenshotNotFound: the capture no longer exists.
        """
        if capture.source != "mediahub":
            if not capture.xuid or not capture.scid:
                raise MalformedResponse(f"{capture.kind} {capture.id} has no xuid or SCID to "
                                        "look it up by")
            return await self.get(capture.xuid, capture.scid, capture.id)
        local_id = getattr(capture, "local_id", None)
        owner = capture.xuid or await self._xuid(None)
        if not isinstance(local_id, str) or not _LOCAL_ID.fullmatch(local_id):
            raise MalformedResponse(f"{capture.kind} {capture.id} has no local id to look it up by")
        answer = await self._hub_search({"max": 1, "skip": 0,
                                         "query": f"OwnerXuid eq {validate_xuid(owner)} and "
                                                  f"localId eq '{local_id}'"})
        for item in parse_records(self.hub_model, answer.get("values", []), warn=False):
            if item.id.lower() == capture.id.lower():
                return item
        raise self.not_found(f"Could not find {capture.kind}: {capture.id} (mediahub)",
                             service=MEDIAHUB_HOST)

    async def _hub_search(self, body: dict[str, Any]) -> dict[str, Any]:
        answer = await self._client._json(
            "POST", MEDIAHUB_HOST, f"/{self.hub_noun}/search", json=body, contract_version=3,
            idempotent=True)  # a search changes nothing: safe to retry although it is a POST
        if not isinstance(answer, dict) or not isinstance(answer.get("values", []), list):
            raise MalformedResponse(f"{MEDIAHUB_HOST} sent no values list", body=answer,
                                    service=MEDIAHUB_HOST)
        return answer


MEDIAHUB_HOST = "mediahub.xboxlive.com"
#: Captures per mediahub request unless asked otherwise (the peers all ask for 500).
MEDIAHUB_PAGE = 500
# The paginator's cursor for "the page after ``skip`` N" when mediahub gives no token.
_SKIP_CURSOR = "\x00skip:"
_LOCAL_ID = re.compile(r"[0-9A-Za-z-]{1,64}")


class AsyncClips(_AsyncCaptures[Clip]):
    """``xbl.clips``: game clips from gameclipsmetadata.xboxlive.com."""

    host = "gameclipsmetadata.xboxlive.com"
    model = Clip
    noun = "clips"
    list_key = "gameClips"
    single_key = "gameClip"
    not_found = ClipNotFound
    contract_version = 1
    hub_model = MediahubClip
    hub_noun = "gameclips"


class AsyncScreenshots(_AsyncCaptures[Screenshot]):
    """``xbl.screenshots``: screenshots from screenshotsmetadata.xboxlive.com."""

    host = "screenshotsmetadata.xboxlive.com"
    model = Screenshot
    noun = "screenshots"
    list_key = "screenshots"
    single_key = "screenshot"
    not_found = ScreenshotNotFound
    contract_version = 5
    hub_model = MediahubScreenshot
    hub_noun = "screenshots"
