"""Row 1: one profile look-up, ``xbl.profiles.get("JoeAlcorn")``, against raw httpx sending
the byte-identical request; sync and async, and the peers (async) in the same rounds.

A block is ``--calls`` look-ups in a row on a warm connection. The raw baseline builds the
URL string itself (``settings=A,B,C``, raw commas, no ``params=``), sends our client's headers
in our client's order, and parses the body with ``json.loads``; before any timing the bench
asserts that both sent identical requests and got identical bodies.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import harness
import httpx
from context import Context, check_identical
from harness import Row, Sample, Variant

from xbox.models.profile import DEFAULT_SETTINGS
from xbox.sandbox import JOE_GAMERTAG

GOAL_WALL = 1.03
GOAL_CPU = 1.08
PEERS = ("xbox-webapi", "python-xbox")


def target() -> str:
    return (f"/profile.xboxlive.com/users/gt({JOE_GAMERTAG})/profile/settings?settings="
            + ",".join(DEFAULT_SETTINGS))


def run(ctx: Context) -> list[Row]:
    assert len(DEFAULT_SETTINGS) == 21, "the baseline asks for the 21 settings our client asks for"
    rows = sync_rows(ctx)
    rows += asyncio_rows(ctx)
    return rows


def ratio_rows(number: str, what: str, outcomes: dict[str, harness.Outcome], name: str,
               baseline: str, calls: int, goals: tuple[float | None, float | None],
               note: str = "") -> list[Row]:
    got = outcomes[name]
    if got.error is not None or not got.samples:
        return [Row(number, what, "wall, client CPU", error=got.error or "no samples")]
    per_call = harness.median_of(outcomes[baseline], "wall") / calls * 1e3
    note = note or f"raw: {per_call:.2f} ms/call"
    return [Row(number, what, "wall ratio", harness.ratio_spread(outcomes, name, baseline, "wall"),
                goals[0], note),
            Row(number, what, "client CPU ratio",
                harness.ratio_spread(outcomes, name, baseline, "cpu"), goals[1])]


def sync_rows(ctx: Context) -> list[Row]:
    calls = ctx.args.calls
    url = ctx.base_url + target()
    headers = ctx.headers(3)
    with ctx.client() as xbl, httpx.Client() as raw:

        def raw_one() -> Any:
            response = raw.send(httpx.Request("GET", url, headers=headers))
            if response.status_code != 200:
                raise RuntimeError(f"raw look-up: HTTP {response.status_code}")
            return json.loads(response.content)

        def ours_one() -> Any:
            return xbl.profiles.get(JOE_GAMERTAG)

        profile = ours_one()  # opens the pool
        body = raw_one()
        assert body["profileUsers"] == [profile.raw], "raw and xbox got different bodies"
        check_identical(ctx, "look-up (sync)", ours_one, xbl._http(), raw_one, raw,
                        is_async=False)

        def block(one: Any) -> Any:
            def run_block() -> Sample:
                clock = harness.Clock()
                for _ in range(calls):
                    one()
                return clock.stop()
            return run_block

        outcomes = harness.alternate([Variant("raw", block(raw_one)), Variant("xbox", block(ours_one))],
                                     ctx.args.rounds)
    return ratio_rows("1", "profile look-up, sync: `xbox.Client` ÷ raw `httpx.Client`", outcomes,
                      "xbox", "raw", calls, (GOAL_WALL, GOAL_CPU))


def asyncio_rows(ctx: Context) -> list[Row]:
    calls = ctx.args.calls
    url = ctx.base_url + target()
    headers = ctx.headers(3)
    loop = asyncio.new_event_loop()
    xbl = ctx.async_client()
    raw = httpx.AsyncClient()
    try:
        async def raw_one() -> Any:
            response = await raw.send(httpx.Request("GET", url, headers=headers))
            if response.status_code != 200:
                raise RuntimeError(f"raw look-up: HTTP {response.status_code}")
            return json.loads(response.content)

        async def ours_one() -> Any:
            return await xbl.profiles.get(JOE_GAMERTAG)

        profile = loop.run_until_complete(ours_one())
        body = loop.run_until_complete(raw_one())
        assert body["profileUsers"] == [profile.raw], "raw and xbox got different bodies"
        check_identical(ctx, "look-up (async)", lambda: loop.run_until_complete(ours_one()),
                        loop.run_until_complete(xbl._http()),
                        lambda: loop.run_until_complete(raw_one()), raw, is_async=True)

        def block(one: Any) -> Any:
            async def timed() -> Sample:
                clock = harness.Clock()
                for _ in range(calls):
                    await one()
                return clock.stop()
            return lambda: loop.run_until_complete(timed())

        variants = [Variant("raw", block(raw_one)), Variant("xbox", block(ours_one))]
        peer_notes = peer_variants(ctx, body, variants)
        outcomes = harness.alternate(variants, ctx.args.rounds)
    finally:
        loop.run_until_complete(raw.aclose())
        loop.run_until_complete(xbl.aclose())
        loop.close()
    rows = ratio_rows("1", "profile look-up, async: `xbox.AsyncClient` ÷ raw `httpx.AsyncClient`",
                      outcomes, "xbox", "raw", calls, (GOAL_WALL, GOAL_CPU))
    for peer in PEERS:
        what = f"profile look-up: {peer} {ctx.peers_versions.get(peer, '')} ÷ raw `httpx.AsyncClient`"
        if peer not in outcomes:
            rows.append(Row("1", what, "wall, client CPU", error=peer_notes.get(peer, "not run")))
            continue
        rows += ratio_rows("1", what, outcomes, peer, "raw", calls, (None, None),
                           note=peer_notes.get(peer, ""))
    return rows


def peer_variants(ctx: Context, raw_body: Any, variants: list[Variant]) -> dict[str, str]:
    """Add a variant per peer that got the same body as the raw baseline; else say why not."""
    notes: dict[str, str] = {}
    if ctx.peers is None:
        return dict.fromkeys(PEERS, ctx.peers_error or "no peers")
    for peer in PEERS:
        answer = ctx.peers.call("lookup_body", peer=peer, check=False)
        if "error" in answer:
            notes[peer] = answer["error"]
            continue
        if answer["body"] != raw_body:
            notes[peer] = "got another body than raw httpx for the same 21 settings"
            continue
        notes[peer] = "same 21 settings, same body; the peer encodes the commas (`%2C`)" \
            if "%2C" in answer["target"] else "same 21 settings, same body"
        variants.append(Variant(peer, peer_block(ctx, peer, "lookup", ctx.args.calls)))
    return notes


def peer_block(ctx: Context, peer: str, what: str, n: int, expect: int | None = None) -> Any:
    """A block run by the peers' worker: its own wall and CPU, or its error for the row."""
    worker = ctx.peers
    assert worker is not None

    def run_block() -> Sample:
        answer = worker.call("block", peer=peer, what=what, n=n, check=False)
        if "error" in answer:
            raise harness.BlockFailed(answer["error"])
        if expect is not None and answer["count"] != expect:
            raise harness.BlockFailed(f"listed {answer['count']} of {expect} records")
        return Sample.from_json(answer)
    return run_block
