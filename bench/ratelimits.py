"""Rows 4 and 5: profile look-ups under the rate limits, on a sandbox with scaled windows.

The sandbox runs with ``rate_limit_scale`` S (``--rate-scale``, 0.02 by default): the profile
limit stays 10 per burst window and 30 per sustain window, the windows shrink from 15 s /
300 s to 0.3 s / 6 s, and ``Retry-After`` shrinks with them. Every client gets the same
scaled table: ours its ``limits=`` and its governor's window lengths (``burst_seconds`` /
``sustain_seconds``) from ``sandbox.limits_for("profile")``, and a ``RetryPolicy`` whose
times are scaled too (backoff, max_backoff, max_total: a 360 s budget becomes 7.2 s);
python-xbox its limiter's windows (``peer_worker.scale_python_xbox_windows``). Each run
starts on fresh server counters and a fresh client.

Row 4: N look-ups (``--rate-calls``, 60) one after another. Reported: elapsed ÷ the
theoretical minimum (when the N-th request may be sent at the earliest under both sliding
windows: 330 s at full scale, 6.6 s at 0.02) and the 429s the sandbox answered.

Row 5: the same N look-ups split between two processes signed in to the same account (the
same token store), started together: do they share the budget (wait) or fail, and how long.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from typing import Any

import harness
from context import BENCH, Context
from harness import Row, Spread

GOAL_RATIO = 1.05
SERVICE = "profile"


@dataclass(frozen=True)
class Table:
    burst: int
    sustain: int
    burst_seconds: float
    sustain_seconds: float

    def minimum(self, n: int) -> float:
        """The earliest the n-th request may be sent (the first at 0): request i waits for
        request i - burst to leave the burst window and i - sustain the sustain window."""
        times: list[float] = []
        for i in range(n):
            at = 0.0
            if i >= self.burst:
                at = max(at, times[i - self.burst] + self.burst_seconds)
            if i >= self.sustain:
                at = max(at, times[i - self.sustain] + self.sustain_seconds)
            times.append(max(at, times[-1] if times else 0.0))
        return times[-1]


def scaled_client(base_url: str, table: Table, scale: float, *, is_async: bool = False) -> Any:
    """Our client with the sandbox's scaled table: limits, windows and retry times."""
    import xbox

    retry = xbox.RetryPolicy(backoff=1.0 * scale, max_backoff=30.0 * scale,
                             max_total=360.0 * scale)
    kind = xbox.AsyncClient if is_async else xbox.Client
    xbl = kind(base_url=base_url, http2=False, rate_limits=True, retry=retry,
               limits={SERVICE: xbox.Limit(table.burst, table.sustain)})
    xbl.governor.burst_seconds = table.burst_seconds
    xbl.governor.sustain_seconds = table.sustain_seconds
    return xbl


def lookups_sync(xbl: Any, n: int) -> dict[str, Any]:
    """n look-ups in a row; stops at the first exception (which the row then shows)."""
    from xbox.sandbox import JOE_GAMERTAG

    done, error, first = 0, None, None
    start = time.perf_counter()
    try:
        for _ in range(n):
            xbl.profiles.get(JOE_GAMERTAG)
            done += 1
            if first is None:
                first = time.perf_counter() - start
    except Exception as exc:
        error = harness.short(exc)
    return {"elapsed": time.perf_counter() - start, "done": done, "error": error, "first": first}


def lookups_async(xbl: Any, n: int) -> dict[str, Any]:
    import asyncio

    from xbox.sandbox import JOE_GAMERTAG

    async def work() -> dict[str, Any]:
        done, error = 0, None
        start = time.perf_counter()
        try:
            for _ in range(n):
                await xbl.profiles.get(JOE_GAMERTAG)
                done += 1
        except Exception as exc:
            error = harness.short(exc)
        elapsed = time.perf_counter() - start
        await xbl.aclose()
        return {"elapsed": elapsed, "done": done, "error": error}

    return asyncio.run(work())


def fresh_budget(ctx: Context) -> None:
    """Fresh counters on both sides: the sandbox's, and the rate-limit ledger that our
    clients signed in to the run's token store share (``xbox._ledger``)."""
    ctx.server.call("rate_limits", on=True)
    from xbox.auth.store import TokenStore

    for ledger in TokenStore().folder.glob("*.ratelimit"):
        ledger.unlink()


def rejected(ctx: Context) -> int:
    count = int(ctx.server.call("rejected")["rejected"])
    ctx.server.call("rate_limits", on=False)
    return count


def table_of(ctx: Context) -> Table:
    return Table(**ctx.server.call("limits", service=SERVICE))


def result_row(number: str, what: str, runs: list[dict[str, Any]], minimum: float, n: int,
               goal: float | None) -> Row:
    failed = [r for r in runs if r.get("error")]
    if failed:
        r = failed[0]
        return Row(number, what, "elapsed ÷ minimum; 429s",
                   error=f"{r['error']} (after {r['done']} of {n} calls, {r['elapsed']:.2f} s; "
                         f"{r['rejected']} x 429)")
    spread = Spread.of([r["elapsed"] / minimum for r in runs])
    codes = [r["rejected"] for r in runs]
    return Row(number, what, "elapsed ÷ minimum", spread, goal,
               f"429s per run: {'/'.join(map(str, codes))}; minimum {minimum:.2f} s",
               extra_ok=not any(codes), extra_why=f"{sum(codes)} x 429 in {len(codes)} runs")


def run_single(ctx: Context) -> list[Row]:
    args = ctx.args
    table = table_of(ctx)
    n = args.rate_calls
    minimum = table.minimum(n)
    scale = args.rate_scale

    def ours(is_async: bool) -> Any:
        def go() -> dict[str, Any]:
            fresh_budget(ctx)
            xbl = scaled_client(ctx.base_url, table, scale, is_async=is_async)
            if is_async:
                result = lookups_async(xbl, n)
            else:
                with xbl:
                    result = lookups_sync(xbl, n)
            return {**result, "rejected": rejected(ctx)}
        return go

    def peer(name: str, caller_waits: bool) -> Any:
        def go() -> dict[str, Any]:
            assert ctx.peers is not None
            fresh_budget(ctx)
            answer = ctx.peers.call("ratelimit", peer=name, n=n, caller_waits=caller_waits,
                                    check=False)
            return {**answer, "error": answer.get("error"), "rejected": rejected(ctx)}
        return go

    variants: list[tuple[str, Any]] = [("sync", ours(False)), ("async", ours(True))]
    if ctx.peers is not None:
        variants += [("python-xbox", peer("python-xbox", False)),
                     ("python-xbox waits", peer("python-xbox", True)),
                     ("xbox-webapi", peer("xbox-webapi", False))]
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _ in variants}
    for r in range(args.rate_rounds):
        for name, go in harness.rotated(variants, r):
            if name.startswith(("python-xbox", "xbox-webapi")) and r > 0 and \
                    any(x.get("error") for x in runs[name]):
                continue  # a peer that failed once fails the same way: do not spend time
            runs[name].append(go())
    what = f"{n} profile look-ups under the limits (scale {scale:g}): "
    rows = [result_row("4", what + "`xbox.Client`", runs["sync"], minimum, n, GOAL_RATIO),
            result_row("4", what + "`xbox.AsyncClient`", runs["async"], minimum, n, GOAL_RATIO)]
    if ctx.peers is None:
        rows.append(Row("4", what + "peers", "elapsed ÷ minimum", error=ctx.peers_error))
        return rows
    rows += [
        result_row("4", what + "python-xbox, its limiter on", runs["python-xbox"], minimum, n,
                   None),
        result_row("4", what + "python-xbox, its limiter on, the caller sleeps until its "
                   "`try_again_in`", runs["python-xbox waits"], minimum, n, None),
        result_row("4", what + "xbox-webapi (it has no limiter)", runs["xbox-webapi"], minimum,
                   n, None),
    ]
    return rows


# -- row 5: a second process on the same account -----------------------------------------------


def run_two_processes(ctx: Context) -> list[Row]:
    args = ctx.args
    table = table_of(ctx)
    n = args.rate_calls
    half = n // 2
    minimum = table.minimum(2 * half)
    argv = [sys.executable, str(BENCH / "ratelimits.py"), "--base", ctx.base_url,
            "--scale", str(args.rate_scale), "--table", json.dumps(table.__dict__)]
    runs = []
    for _ in range(max(1, args.rate_rounds - 1)):
        children = [harness.Worker(argv, name=f"process {c}") for c in "AB"]
        try:
            for child in children:
                child.read()  # ready: imported, signed in from the shared token store
            fresh_budget(ctx)
            for child in children:
                child.send("lookups", n=half)  # both start together
            results = [child.read() for child in children]
        finally:
            for child in children:
                child.close()
        runs.append({"results": results, "rejected": rejected(ctx)})
    what = (f"second process on the same account: 2 x {half} look-ups at once (scale "
            f"{args.rate_scale:g})")
    last = runs[-1]
    story = "; ".join(
        f"{name}: " + (f"{r['done']} done in {r['elapsed']:.2f} s (the first answer after "
                       f"{r['first']:.2f} s)" if not r["error"] else
                       f"raised after {r['done']} calls, {r['elapsed']:.2f} s: {r['error']}")
        for name, r in zip("AB", last["results"], strict=True))
    complete = all(not r["error"] for run in runs for r in run["results"])
    codes = [run["rejected"] for run in runs]
    spread = Spread.of([max(r["elapsed"] for r in run["results"]) / minimum for run in runs])
    why = []
    if not complete:
        why.append("a process failed instead of waiting")
    if any(codes):
        why.append(f"{sum(codes)} x 429 in {len(codes)} runs")
    return [Row("5", what, "elapsed ÷ minimum (both)", spread, GOAL_RATIO,
                f"{story}; 429s per run: {'/'.join(map(str, codes))}; minimum {minimum:.2f} s",
                extra_ok=not why, extra_why="; ".join(why))]


def child_main() -> int:
    """One of row 5's processes: sign in from the shared token store, then run look-ups on
    command (``harness.Worker`` protocol)."""
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--scale", type=float, required=True)
    parser.add_argument("--table", required=True)
    args = parser.parse_args()
    table = Table(**json.loads(args.table))
    xbl = scaled_client(args.base, table, args.scale)
    if not xbl.authenticated:
        raise SystemExit("no session in the shared token store")
    # Ready means imported: the profiles resource and its models, httpx and the connection
    # pool load on first use (about 0.3 s, more with both children on one core), which is
    # start-up (row 7), not the budget. The first request still opens its connection.
    assert xbl.profiles is not None
    xbl._http()
    harness.serve_commands({"lookups": lambda n: lookups_sync(xbl, n)}, hello={"ready": True})
    xbl.close()
    return 0


if __name__ == "__main__":
    sys.exit(child_main())
