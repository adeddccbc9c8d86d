"""Per-call overhead of `xbox` over raw httpx, against the sandbox served on 127.0.0.1
(in its own process).

    .venv/bin/python bench/bench_client.py [--calls 300] [--clips 5000]

Measures, in one run and against the same server (rate limits off, so the server does not
pace anyone):

* a profile lookup: raw ``httpx.Client.get`` + ``json.loads`` vs ``xbox.Client.profiles.get``
  (sync) and the same with ``httpx.AsyncClient`` / ``xbox.AsyncClient`` (async);
* paging 5,000 clips: raw httpx following ``continuationToken`` + ``json.loads`` vs
  ``list(xbl.clips.recent(xuid))`` (which also builds a pydantic model per clip).

Reports medians and the ratio xbox / raw (goals from issue 4: <= 1.15 for a lookup,
<= 1.3 for paging). Wall-clock numbers vary with the machine; the ratios are the result.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

import xbox
from xbox.sandbox import JOE_EMAIL, JOE_PASSWORD, JOE_XUID, Sandbox, World
from xbox.sandbox.asgi import run_server

PROFILE_PATH = f"/profile.xboxlive.com/users/xuid({JOE_XUID})/profile/settings"
SETTINGS = ",".join(xbox.models.profile.DEFAULT_SETTINGS)


def medians(raw: Callable[[], object], ours: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median seconds of each, measured alternately so that drift in the machine's load
    falls on both alike."""
    raw_times, our_times = [], []
    for _ in range(repeat):
        for fn, times in ((raw, raw_times), (ours, our_times)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(raw_times), statistics.median(our_times)


def report(name: str, raw: float, ours: float, goal: float) -> None:
    ratio = ours / raw
    mark = "ok" if ratio <= goal else "over goal"
    print(f"{name:<28} raw {raw * 1e3:8.3f} ms   xbox {ours * 1e3:8.3f} ms   "
          f"ratio {ratio:5.2f}  (goal <= {goal}: {mark})")


PEERS_PYTHON = Path(__file__).parent / ".venv-peers" / "bin" / "python"


def peers(base: str, xbl: xbox.Client, calls: int, clips: int, raw_profile: float,
          raw_paging: float) -> None:
    """Run bench/peers.py in the peers' virtualenv against the same server; print ratios."""
    if not PEERS_PYTHON.exists():
        print("peers: skipped (run `make bench` to create bench/.venv-peers)")
        return
    session = xbl.auth.session
    assert session is not None and session.user is not None and session.xsts is not None
    auth = json.dumps({"uhs": session.user.uhs, "token": session.xsts.token, "xuid": session.xuid})
    done = subprocess.run([str(PEERS_PYTHON), str(Path(__file__).parent / "peers.py"), base, auth,
                           str(calls), str(clips)], capture_output=True, text=True, timeout=900,
                          check=False)
    if done.returncode != 0:
        print(f"peers: failed: {done.stderr.strip()[-500:]}")
        return
    for name, result in json.loads(done.stdout).items():
        if "error" in result:
            print(f"{name:<28} error: {result['error']}")
            continue
        print(f"{name + ' lookup (async)':<28} {result['profile'] * 1e3:8.3f} ms   "
              f"ratio to raw {result['profile'] / raw_profile:5.2f}")
        print(f"{name + ' paging':<28} {result['paging'] * 1e3:8.3f} ms   "
              f"ratio to raw {result['paging'] / raw_paging:5.2f}")


def _serve(clips: int, ready: multiprocessing.Queue[str]) -> None:
    sandbox = Sandbox(seed=0, world=World(seed=0, joe_clips=clips), rate_limits=False)
    run_server(sandbox, "127.0.0.1", 0, on_ready=ready.put)


@contextlib.contextmanager
def serve_elsewhere(clips: int) -> Iterator[str]:
    """The sandbox in its own process, as a real server is: its work never competes with
    the client's for this interpreter's GIL, which would blur the client's own cost."""
    ready: multiprocessing.Queue[str] = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(clips, ready), daemon=True)
    server.start()
    try:
        yield ready.get(timeout=60)
    finally:
        server.terminate()
        server.join(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="profile lookups per variant")
    parser.add_argument("--clips", type=int, default=5000, help="clips to page through")
    args = parser.parse_args()

    with serve_elsewhere(args.clips) as base, tempfile.TemporaryDirectory() as home:
        os.environ["XBOX_HOME"] = home
        xbl = xbox.Client(base_url=base, rate_limits=False, http2=False)
        xbl.authenticate(JOE_EMAIL, JOE_PASSWORD)
        assert xbl.auth.session is not None
        headers = {"Authorization": xbl.auth.session.authorization,
                   "x-xbl-contract-version": "3", "Accept": "application/json",
                   "Accept-Language": "en-US"}
        raw = httpx.Client(base_url=base, headers=headers)
        params = {"settings": SETTINGS}

        def raw_profile() -> object:
            return json.loads(raw.get(PROFILE_PATH, params=params).content)

        def our_profile() -> object:
            return xbl.profiles.get(xuid=JOE_XUID)

        for fn in (raw_profile, our_profile):  # warm both pools
            fn()
        print(f"sandbox at {base}; {args.calls} calls per variant, {args.clips} clips")
        r, o = medians(raw_profile, our_profile, args.calls)
        report("profile lookup (sync)", r, o, 1.15)

        async def async_variant() -> tuple[float, float]:
            async with httpx.AsyncClient(base_url=base, headers=headers) as araw, \
                    xbox.AsyncClient(base_url=base, rate_limits=False, http2=False) as axbl:
                axbl.auth.session = xbl.auth.session
                axbl.auth._loaded = True

                async def timed() -> tuple[float, float]:
                    raw_times, our_times = [], []
                    for _ in range(args.calls):
                        for fn, times in ((raw_one, raw_times), (our_one, our_times)):
                            start = time.perf_counter()
                            await fn()
                            times.append(time.perf_counter() - start)
                    return statistics.median(raw_times), statistics.median(our_times)

                async def raw_one() -> object:
                    return json.loads((await araw.get(PROFILE_PATH, params=params)).content)

                async def our_one() -> object:
                    return await axbl.profiles.get(xuid=JOE_XUID)

                await raw_one()
                await our_one()
                return await timed()

        r, o = asyncio.run(async_variant())
        raw_async_median = r
        report("profile lookup (async)", r, o, 1.15)

        clips_path = f"/gameclipsmetadata.xboxlive.com/users/xuid({JOE_XUID})/clips"

        def raw_paging() -> int:
            count, token = 0, None
            while True:
                q = {"continuationToken": token} if token else {}
                body = json.loads(raw.get(clips_path, params=q).content)
                count += len(body["gameClips"])
                token = body["pagingInfo"]["continuationToken"]
                if not token:
                    return count

        def our_paging() -> int:
            # Count as the raw loop does, without keeping every model alive at once.
            return sum(1 for _ in xbl.clips.recent(JOE_XUID))

        assert raw_paging() == our_paging() == args.clips
        r, o = medians(raw_paging, our_paging, 5)
        report(f"paging {args.clips} clips", r, o, 1.3)
        # The peers are async-only: compare them with raw httpx.AsyncClient.
        peers(base, xbl, args.calls, args.clips, raw_async_median, r)
        raw.close()
        xbl.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
