"""``make bench``: every row of issue 13 in one run, with its spread over rounds.

    .venv/bin/python bench/run.py [--rows 1,2,3,4,5,6,7] [--rounds 15] [--calls 40] ...

Prints progress on stderr and the table (markdown) on stdout. Ratios are the result; the
machine (2 cores, shared) is noisy, so milliseconds are only context. See bench/README.md
for what each row measures and how.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable

import context
import downloads
import harness
import lookups
import micro
import paging
import ratelimits
import startup

ROWS: dict[str, Callable[[context.Context], list[harness.Row]]] = {
    "1": lookups.run,
    "2": paging.run,
    "3": micro.run,
    "4": ratelimits.run_single,
    "5": ratelimits.run_two_processes,
}
STANDALONE: dict[str, Callable[[argparse.Namespace], list[harness.Row]]] = {
    "6": downloads.run,
    "7": startup.run,
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="1,2,3,4,5,6,7", help="which rows to run")
    parser.add_argument("--rounds", type=int, default=60, help="rounds of the look-up rows")
    parser.add_argument("--calls", type=int, default=20, help="look-ups per block")
    parser.add_argument("--clips", type=int, default=5000, help="clips to page through")
    parser.add_argument("--paging-rounds", type=int, default=7)
    parser.add_argument("--micro-rounds", type=int, default=7)
    parser.add_argument("--rate-scale", type=float, default=0.02,
                        help="the sandbox's rate_limit_scale for rows 4-5 (windows x this)")
    parser.add_argument("--rate-calls", type=int, default=60, help="look-ups per rate-limit run")
    parser.add_argument("--rate-rounds", type=int, default=3)
    parser.add_argument("--download-mib", type=int, default=1024, help="size of the download")
    parser.add_argument("--download-rounds", type=int, default=3)
    parser.add_argument("--startup-rounds", type=int, default=3)
    parser.add_argument("--startup-runs", type=int, default=10, help="runs per command per round")
    return parser.parse_args(argv)


def timed_row(number: str, run: Callable[[], list[harness.Row]]) -> list[harness.Row]:
    harness.say(f"row {number} ...")
    start = time.monotonic()
    rows = run()
    harness.say(f"row {number}: {time.monotonic() - start:.0f} s")
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.pop("XBOX_LIVE_BASE_URL", None)  # every client here says where it goes
    wanted = [r.strip() for r in args.rows.split(",") if r.strip()]
    started = time.monotonic()
    rows: list[harness.Row] = []
    notes: list[str] = []
    # Chosen before pinning (a pinned process sees one CPU); children inherit the client's.
    args.client_cpu, args.server_cpu = client_cpu, server_cpu = harness.cores()
    harness.pin(client_cpu)
    if any(r in ROWS for r in wanted):
        with context.started(args) as ctx:
            for number in wanted:
                if number in ROWS:
                    rows += timed_row(number, lambda n=number: ROWS[n](ctx))
            notes.append("peers: " + (", ".join(f"{k} {v}" for k, v in ctx.peers_versions.items())
                                      or ctx.peers_error or "none"))
    for number in wanted:
        if number in STANDALONE:
            rows += timed_row(number, lambda n=number: STANDALONE[n](args))
    for number in wanted:
        if number not in ROWS and number not in STANDALONE:
            raise SystemExit(f"no row {number}")
    elapsed = time.monotonic() - started
    pinning = (f"client on CPU {client_cpu}, servers on CPU {server_cpu}"
               if client_cpu is not None else "one CPU: nothing pinned")
    print(harness.table(rows))
    print()
    print(f"{len(rows)} rows in {elapsed:.0f} s; Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs ({pinning}); "
          + "; ".join(notes))
    for extra in startup.LISTINGS:
        print()
        print(extra)
    return 0


if __name__ == "__main__":
    sys.exit(main())
