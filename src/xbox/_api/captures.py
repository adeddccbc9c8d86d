"""gameclipsmetadata / screenshotsmetadata, and mediahub search: game clips and screenshots.

The metadata lists page with ``continuationToken`` (``pagingInfo``); mediahub search pages
with a top-level token in its answer (or, when a full page comes without one, by ``skip``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .._core.call import Call, api_call
from ..exceptions import ClipNotFound, MalformedResponse, NotFoundException, ScreenshotNotFound
from ..ids import check_capture_id, check_scid, check_title_id, check_xuid
from ..models.base import parse_records
from ..models.captures import Clip, MediahubClip, MediahubScreenshot, Screenshot
from . import Errors, Pages, Request, user_path

__all__ = ["CLIPS", "MEDIAHUB_HOST", "MEDIAHUB_PAGE", "SCREENSHOTS", "Kind"]

C = TypeVar("C", Clip, Screenshot)

MEDIAHUB_HOST = "mediahub.xboxlive.com"
#: Captures per mediahub request unless asked otherwise (the peers all ask for 500).
MEDIAHUB_PAGE = 500
# The paginator's cursor for "the page after ``skip`` N" when mediahub gives no token.
_SKIP_CURSOR = "\x00skip:"
_LOCAL_ID = re.compile(r"[0-9A-Za-z-]{1,64}")


@dataclass(frozen=True)
class Kind(Generic[C]):
    """What differs between clips and screenshots."""

    host: str
    model: type[C]
    noun: str  # path segment: "clips" | "screenshots"
    list_key: str  # "gameClips" | "screenshots"
    single_key: str  # "gameClip" | "screenshot"
    not_found: type[NotFoundException]
    contract_version: int
    hub_model: type[C]
    hub_noun: str  # mediahub path segment: "gameclips" | "screenshots"

    # -- the metadata services ----------------------------------------------------------
    def path(self, xuid: str | int | None, title_id: int | str | None, saved: bool) -> str:
        """A user's list (the signed-in user's for None), one title's, saved ones only."""
        path = f"/users/{user_path(xuid)}"
        if title_id is not None:
            path += f"/titles/{check_title_id(title_id)}"
        return path + f"/{self.noun}" + ("/saved" if saved else "")

    def community_path(self, title_id: int | str, saved: bool) -> str:
        """Everyone's public captures of a title."""
        return (f"/public/titles/{check_title_id(title_id)}/{self.noun}"
                + ("/saved" if saved else "") + "?qualifier=created")

    def listing(self, path: str) -> Pages[C]:
        """The pages of a metadata list."""
        def page(who: str | None, token: str | None, size: int | None) -> Call:
            params: dict[str, Any] = {}
            if size:
                params["maxItems"] = size
            if token:
                params["continuationToken"] = token
            return api_call("GET", self.host, path, params=params,
                            contract_version=self.contract_version)

        def read(body: Any, errors: Errors, call: Call) -> tuple[list[C], Any]:
            if not isinstance(body, dict):
                raise MalformedResponse(f"{self.host} sent no {self.noun} list", body=body,
                                        service=self.host)
            paging = body.get("pagingInfo") or {}
            return (parse_records(self.model, body.get(self.list_key, []), errors, warn=False),
                    paging.get("continuationToken") if isinstance(paging, dict) else None)

        return Pages(page, read)

    def single(self, xuid: str | int, scid: str, capture_id: str) -> Request[C]:
        """One capture by its owner's xuid, its SCID and its id."""
        xuid, scid, ident = check_xuid(xuid), check_scid(scid), check_capture_id(capture_id)
        kind = self.model.kind

        def read(body: Any) -> C:
            item = body.get(self.single_key) if isinstance(body, dict) else None
            if item is None:
                raise MalformedResponse(f"{self.host} sent no {self.single_key}", body=body,
                                        service=self.host)
            return self.model.from_wire(item)

        call = api_call("GET", self.host, f"/users/xuid({xuid})/scids/{scid}/{self.noun}/{ident}",
                        contract_version=self.contract_version)
        return Request(call, read, self.not_found,
                       f"Could not find {kind}: xuid={xuid}, scid={scid}, {kind}_id={ident}")

    # -- mediahub -------------------------------------------------------------------------
    def _search(self, body: dict[str, Any]) -> Call:
        # A search changes nothing: safe to retry although it is a POST.
        return api_call("POST", MEDIAHUB_HOST, f"/{self.hub_noun}/search", json=body,
                        contract_version=3, idempotent=True)

    def mine(self, title_id: int | str | None) -> Pages[C]:
        """The signed-in user's own captures from mediahub search, newest first."""
        title = check_title_id(title_id) if title_id is not None else None

        def page(who: str | None, token: str | None, size: int | None) -> Call:
            query = f"OwnerXuid eq {who}" + (f" and TitleId eq {title}" if title else "")
            body: dict[str, Any] = {"max": size or MEDIAHUB_PAGE, "query": query, "skip": 0}
            if token is not None and token.startswith(_SKIP_CURSOR):
                body["skip"] = int(token[len(_SKIP_CURSOR):])
            elif token:
                body["continuationToken"] = token
            return self._search(body)

        def read(body: Any, errors: Errors, call: Call) -> tuple[list[C], Any]:
            values = _values(body)
            token = body.get("continuationToken")
            if not token and values and len(values) >= call.json["max"]:
                # A full page without a token: ask for what follows by offset, as mediahub's
                # own request body allows (``skip``); a shorter page ends the listing.
                token = f"{_SKIP_CURSOR}{call.json['skip'] + len(values)}"
            return parse_records(self.hub_model, values, errors, warn=False), token

        return Pages(page, read, needs_xuid=True)

    def hub_lookup(self, owner: str, capture: C) -> Request[C]:
        """A mediahub capture fetched anew (fresh signed URLs), by its local id."""
        local_id = getattr(capture, "local_id", None)
        if not isinstance(local_id, str) or not _LOCAL_ID.fullmatch(local_id):
            raise MalformedResponse(f"{capture.kind} {capture.id} has no local id to look it up by")
        call = self._search({"max": 1, "skip": 0, "query": f"OwnerXuid eq {check_xuid(owner)} "
                                                           f"and localId eq '{local_id}'"})

        def read(body: Any) -> C:
            for item in parse_records(self.hub_model, _values(body), warn=False):
                if item.id.lower() == capture.id.lower():
                    return item
            raise self.not_found(f"Could not find {capture.kind}: {capture.id} (mediahub)",
                                 service=MEDIAHUB_HOST)

        return Request(call, read)


def _values(body: Any) -> list[Any]:
    values = body.get("values", []) if isinstance(body, dict) else None
    if not isinstance(values, list):
        raise MalformedResponse(f"{MEDIAHUB_HOST} sent no values list", body=body,
                                service=MEDIAHUB_HOST)
    return values


CLIPS: Kind[Clip] = Kind("gameclipsmetadata.xboxlive.com", Clip, "clips", "gameClips", "gameClip",
                         ClipNotFound, 1, MediahubClip, "gameclips")
SCREENSHOTS: Kind[Screenshot] = Kind("screenshotsmetadata.xboxlive.com", Screenshot,
                                     "screenshots", "screenshots", "screenshot",
                                     ScreenshotNotFound, 5, MediahubScreenshot, "screenshots")
