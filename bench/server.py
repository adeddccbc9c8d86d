"""The sandbox, served from its own process (pinned to its own core), with a control channel.

    .venv/bin/python bench/server.py --clips 5000 --rate-scale 0.02 --cpu 1

Prints ``{"base_url": ...}`` once it listens on 127.0.0.1, then answers commands on stdin
(JSON lines, see ``harness.Worker``):

* ``log`` / ``clear_log``: the requests the sandbox saw (method, raw target, header list),
  so the bench can assert that two clients sent byte-identical requests;
* ``rate_limits on=true|false``: enforce the limits or not, each time with fresh counters
  (every rate-limit run starts with a whole budget);
* ``rejected``: how many requests were answered 429 since the last ``rate_limits``;
* ``limits service=profile``: the effective (scaled) limit, for the client's table.

The world is ``World(0, joe_clips=N)`` in today's wire era (2025: integer enums).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import harness

from xbox.sandbox import Sandbox, World
from xbox.sandbox.app import RateLimiter


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=5000)
    parser.add_argument("--rate-scale", type=float, default=0.02)
    parser.add_argument("--cpu", type=int, default=None)
    args = parser.parse_args()
    harness.pin(args.cpu)

    sandbox = Sandbox(seed=0, world=World(0, joe_clips=args.clips), rate_limits=False,
                      rate_limit_scale=args.rate_scale, era="2025")

    def log() -> dict[str, Any]:
        entries = []
        for request in list(sandbox.requests):
            target = request.url.raw_path.decode("latin-1")
            headers = [[k.decode("latin-1"), v.decode("latin-1")] for k, v in request.headers.raw]
            entries.append([request.method, target, headers])
        return {"requests": entries}

    def clear_log() -> dict[str, Any]:
        sandbox.requests.clear()
        return {"ok": True}

    def rate_limits(on: bool) -> dict[str, Any]:
        sandbox.limiter = RateLimiter(sandbox.clock)  # fresh counters: a whole budget
        sandbox.rate_limits = on
        return {"ok": True}

    def rejected() -> dict[str, Any]:
        return {"rejected": sandbox.limiter.rejected}

    def limits(service: str) -> dict[str, Any]:
        lim = sandbox.limits_for(service)
        if lim is None:
            raise KeyError(service)
        return {"burst": lim.burst, "sustain": lim.sustain, "burst_seconds": lim.burst_seconds,
                "sustain_seconds": lim.sustain_seconds}

    with sandbox.serve() as served:
        harness.serve_commands(
            {"log": log, "clear_log": clear_log, "rate_limits": rate_limits,
             "rejected": rejected, "limits": limits},
            hello={"base_url": served.base_url})
    return 0


if __name__ == "__main__":
    sys.exit(main())
