"""What the governor costs per request: CPU µs of one booking (``reserve`` + ``settle``, the
two calls every rate-limited request makes; a request that waited also makes a ``recheck``)
in the process only and through the shared ledger (``xbox._ledger``) on a temporary
folder, and of a host that is not rate limited (no file I/O at all).

    .venv/bin/python bench/ledger_cost.py [--n 20000] [--rounds 5]

Not a row of ``make bench``: a micro-measure for the ledger's design (issue 13, rows 4-5).
The limit is set high enough that nothing waits; the budgets are pruned as they would be.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from xbox._core.governor import Governor
from xbox._core.limits import Limit
from xbox._ledger import Ledger

XUID = "2533274812246958"


def per_booking(governor: Governor, host: str, n: int) -> float:
    """CPU µs per reserve + settle."""
    clock = 1_000_000.0
    start = time.process_time()
    for i in range(n):
        now = clock + i * 1e-3
        booking = governor.reserve(XUID, host, "GET", now)
        if booking is not None:
            governor.settle(booking, now)
    return (time.process_time() - start) / n * 1e6


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    # The windows hold as many bookings as a sustain limit allows: 30 (profile) or 300
    # (achievements); bookings are 1 ms apart, so a sustain window of 30 / 300 ms.
    limits = {"profile": Limit(10**9, 10**9)}
    results: dict[str, list[float]] = {"unlimited host": []}
    for held in (30, 300):
        results[f"in-process, {held} held"] = []
        results[f"ledger, {held} held"] = []
    # A service with no published limit (the capture lists) is counted but not paced: its
    # budget holds every booking of the sustain window, up to MAX_ENTRIES (1,024).
    results["unpaced, in-process, 1024 held"] = []
    results["unpaced, ledger, 1024 held"] = []
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            for held in (30, 300):
                windows = {"burst_seconds": 0.001, "sustain_seconds": held / 1000}
                folder = Path(tmp) / f"{r}-{held}"
                memory = Governor(limits, **windows)
                ledger = Governor(limits, ledger=Ledger(lambda folder=folder: folder), **windows)
                results[f"in-process, {held} held"].append(
                    per_booking(memory, "profile.xboxlive.com", args.n))
                results[f"ledger, {held} held"].append(
                    per_booking(ledger, "profile.xboxlive.com", args.n // 4))
            results["unlimited host"].append(per_booking(ledger, "login.live.com", args.n))
            windows = {"burst_seconds": 0.001, "sustain_seconds": 2.0}  # > 1,024 bookings
            folder = Path(tmp) / f"{r}-unpaced"
            results["unpaced, in-process, 1024 held"].append(
                per_booking(Governor(**windows), "gameclipsmetadata.xboxlive.com", args.n))
            results["unpaced, ledger, 1024 held"].append(per_booking(
                Governor(ledger=Ledger(lambda folder=folder: folder), **windows),
                "gameclipsmetadata.xboxlive.com", args.n // 4))
    for name, values in results.items():
        print(f"{name:>30}: {min(values):7.2f} / {statistics.median(values):7.2f} / "
              f"{max(values):7.2f} CPU µs per request (min / median / max of {args.rounds})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
