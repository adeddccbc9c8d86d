"""Row 2: every one of JoeAlcorn's 5,000 clips, page by page.

* ours: ``sum(1 for _ in xbl.clips.recent(xuid))`` (sync; a ``Clip`` model per record);
* ours with eager models: the same listing with ``Clip.from_wire`` swapped, for the block,
  for :func:`eager_from_wire` (the design without the lazy engine; row 3 times it alone);
* its baseline: raw ``httpx.Client`` + ``json.loads`` following ``continuationToken``, the
  same 50 requests byte for byte (asserted, and the records asserted equal);
* the peers: their own ``get_recent_clips_by_xuid`` paged with ``skipItems`` (they cannot
  follow tokens), against raw ``httpx.AsyncClient`` + ``json.loads`` sending those same
  ``skipItems`` requests, in the same rounds.

A block is one whole listing. The goal is on client CPU (the server's time is not the
client's); wall is shown for context.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import harness
import httpx
from context import Context, check_identical
from harness import Row, Sample, Variant
from lookups import PEERS, peer_block, ratio_rows

from xbox.models import Clip
from xbox.sandbox import JOE_XUID

GOAL_CPU = 1.25
PAGE = 100


def clips_url(ctx: Context) -> str:
    return f"{ctx.base_url}/gameclipsmetadata.xboxlive.com/users/xuid({JOE_XUID})/clips"


def raw_listing(raw: httpx.Client, url: str, headers: dict[str, str],
                keep: list[Any] | None = None) -> int:
    """Follow continuation tokens to the end; the query built as a string, as ours is sent."""
    count, token = 0, None
    while True:
        page_url = url if token is None else f"{url}?continuationToken={token}"
        response = raw.send(httpx.Request("GET", page_url, headers=headers))
        if response.status_code != 200:
            raise RuntimeError(f"raw paging: HTTP {response.status_code}")
        body = json.loads(response.content)
        clips = body["gameClips"]
        count += len(clips)
        if keep is not None:
            keep.extend(clips)
        token = body["pagingInfo"]["continuationToken"]
        if not token:
            return count


def eager_from_wire(record: Any) -> Clip:
    """``Clip.from_wire`` without the lazy engine: pydantic's ``model_validate`` of the whole
    record (refused fields salvaged), ``.raw`` set, the identity checked."""
    return Clip._from_wire_eagerly(record, Clip.prepare_wire(record))


@contextmanager
def eager_clips() -> Iterator[None]:
    """Within: ``Clip.from_wire`` is :func:`eager_from_wire` (the listing's models too)."""
    Clip.from_wire = classmethod(lambda cls, data: eager_from_wire(data))  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        del Clip.from_wire


def stable(record: dict[str, Any]) -> dict[str, Any]:
    """A record without what changes from second to second: the signed download URL's
    signature and expiry (an hour from the moment it was listed)."""
    uris = [{**u, "uri": str(u.get("uri")).split("?", 1)[0], "expiration": None}
            for u in record.get("gameClipUris", [])]
    return {**record, "gameClipUris": uris}


def run(ctx: Context) -> list[Row]:
    url = clips_url(ctx)
    headers = ctx.headers(1)
    loop = asyncio.new_event_loop()
    araw = httpx.AsyncClient()
    with ctx.client() as xbl, httpx.Client() as raw:
        records: list[Any] = []
        assert raw_listing(raw, url, headers, records) == ctx.args.clips
        ours = [c.raw for c in xbl.clips.recent(JOE_XUID)]
        assert [stable(r) for r in ours] == [stable(r) for r in records], \
            "raw and xbox paged through different records"
        check_identical(ctx, "paging", lambda: sum(1 for _ in xbl.clips.recent(JOE_XUID)),
                        xbl._http(), lambda: raw_listing(raw, url, headers), raw, is_async=False)

        def ours_block() -> Sample:
            clock = harness.Clock()
            count = sum(1 for _ in xbl.clips.recent(JOE_XUID))
            sample = clock.stop()
            assert count == ctx.args.clips
            return sample

        def eager_block() -> Sample:
            with eager_clips():
                return ours_block()

        def raw_block() -> Sample:
            clock = harness.Clock()
            raw_listing(raw, url, headers)
            return clock.stop()

        async def raw_skip() -> Sample:
            """What the peers send: ``?skipItems=N&maxItems=100`` until a short page."""
            clock = harness.Clock()
            count, skip = 0, 0
            while True:
                response = await araw.send(httpx.Request(
                    "GET", f"{url}?skipItems={skip}&maxItems={PAGE}", headers=headers))
                clips = json.loads(response.content)["gameClips"]
                count += len(clips)
                skip += PAGE
                if len(clips) < PAGE:
                    break
            sample = clock.stop()
            assert count == ctx.args.clips
            return sample

        variants = [Variant("raw", raw_block), Variant("xbox", ours_block),
                    Variant("xbox-eager", eager_block),
                    Variant("raw-skip", lambda: loop.run_until_complete(raw_skip()))]
        notes: dict[str, str] = {}
        if ctx.peers is None:
            notes = dict.fromkeys(PEERS, ctx.peers_error or "no peers")
        else:
            for peer in PEERS:
                variants.append(Variant(peer, peer_block(ctx, peer, "paging", 1,
                                                         expect=ctx.args.clips)))
        try:
            outcomes = harness.alternate(variants, ctx.args.paging_rounds)
        finally:
            loop.run_until_complete(araw.aclose())
            loop.close()
    clips = ctx.args.clips
    rows = ratio_rows("2", f"paging {clips:,} clips: `xbl.clips.recent` ÷ raw httpx + json.loads "
                      "(tokens)", outcomes, "xbox", "raw", 1, (None, GOAL_CPU),
                      note=f"raw: {harness.median_of(outcomes['raw'], 'cpu') * 1e3:.0f} ms CPU, "
                           f"{harness.median_of(outcomes['raw'], 'wall') * 1e3:.0f} ms wall")
    rows += ratio_rows("2", f"paging {clips:,} clips: `xbl.clips.recent` with eager `Clip`s (the "
                       "design without the lazy engine) ÷ raw httpx + json.loads (tokens)",
                       outcomes, "xbox-eager", "raw", 1, (None, None),
                       note="`Clip.from_wire` swapped for `model_validate` + salvage")
    for peer in PEERS:
        what = f"paging {clips:,} clips: {peer} ÷ raw `httpx.AsyncClient` + json.loads (skipItems)"
        if peer in notes:
            rows.append(Row("2", what, "wall, client CPU", error=notes[peer]))
            continue
        rows += ratio_rows("2", what, outcomes, peer, "raw-skip", 1, (None, None),
                           note="51 requests (skipItems until a short page)")
    return rows

