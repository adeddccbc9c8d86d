"""Row 6: a 1 GiB clip downloaded through ``xbl.download(clip, dest)`` against ``curl -o``.

The bytes: a real MP4 (the sandbox's one-second clip) padded with a ``free`` box to 1 GiB,
written to a temporary file in 1 MiB pieces (never held in memory) and served by a plain
local HTTP server (``serve`` below: ``os.sendfile``, ``Content-Type: video/mp4``,
``Content-Length``) from its own process on the other core. The clip handed to
``xbl.download`` is ``Clip.from_wire`` of a today-shaped record whose ``Download`` locator
points there (``fileSize`` 1 GiB, expiring in an hour, so no refresh).

Both clients run as their own processes, in turn, each round: ours (``fetch`` below) times
``xbl.download`` alone (not the interpreter's start), curl reports its ``time_total``; the
peak RSS and CPU of each process come from ``os.wait4``. "RSS flat": ours downloads a 64 MiB
file too, and its peak RSS may not grow by more than 16 MiB for 16x the bytes. ``xbl.download``
fsyncs the file once before renaming it; curl does not, so the row also shows curl followed
by an ``os.fsync`` of its file, and the floor of any httpx-based client: raw httpx streaming
the body to a file (``iter_raw``, 256 KiB pieces, no hash, no fsync), for context.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import harness
from harness import Row, Spread

GOAL_RATIO = 1.10
FLAT_MIB = 16
SMALL_MIB = 64
MIB = 1024 * 1024
BENCH = Path(__file__).resolve().parent


def make_clip_file(path: Path, size: int) -> None:
    """A valid MP4 of exactly ``size`` bytes, written piece by piece."""
    from importlib import resources

    clip = resources.files("xbox.sandbox").joinpath("data", "clip.mp4").read_bytes()
    free = size - len(clip)
    if free < 8 or free > 0xFFFFFFFF:
        raise ValueError("size out of range for a 32-bit free box")
    piece = os.urandom(MIB)
    with path.open("wb") as fh:
        fh.write(clip + struct.pack(">I4s", free, b"free"))
        left = free - 8
        while left > 0:
            fh.write(piece[:min(left, MIB)])
            left -= min(left, MIB)


def run_process(argv: list[str]) -> tuple[str, float, float]:
    """Run a process to its end: (stdout, peak RSS in MiB, CPU seconds).

    The peak is the kernel's ``VmHWM`` of the process's own memory after ``exec``, read
    every 10 ms while it runs. Not ``ru_maxrss``: that counts the forked copy of this (bigger)
    process from before ``exec``, which would hide the child's own peak.
    """
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(argv, stdout=out)
        peak_kib = 0
        status_file = f"/proc/{proc.pid}/status"
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            try:
                with open(status_file) as fh:
                    for line in fh:
                        if line.startswith("VmHWM:"):
                            peak_kib = max(peak_kib, int(line.split()[1]))
            except (OSError, ValueError):
                pass
            time.sleep(0.01)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read()
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[0]} exited with {proc.returncode}: {text[-300:]}")
    return text, peak_kib / 1024, usage.ru_utime + usage.ru_stime


def ours(url: str, size: int, dest: Path, how: str = "fetch") -> dict[str, float]:
    out, rss, cpu = run_process([sys.executable, str(BENCH / "downloads.py"), how,
                                 "--url", url, "--size", str(size), "--dest", str(dest)])
    wall = json.loads(out)["wall"]
    assert dest.stat().st_size == size
    dest.unlink()
    return {"wall": wall, "rss": rss, "cpu": cpu}


def curl(url: str, size: int, dest: Path) -> dict[str, float]:
    out, rss, cpu = run_process(["curl", "-s", "-f", "-o", str(dest), "-w", "%{time_total}", url])
    assert dest.stat().st_size == size
    start = time.perf_counter()
    fd = os.open(dest, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    fsync = time.perf_counter() - start
    dest.unlink()
    return {"wall": float(out), "rss": rss, "cpu": cpu, "fsync": fsync}


def run(args: argparse.Namespace) -> list[Row]:
    what = f"download {args.download_mib:,} MiB: `xbl.download` ÷ `curl -o`"
    if not _has_curl():
        return [Row("6", what, "wall ratio", error="curl is not installed (apt-get install curl)")]
    size = args.download_mib * MIB
    with tempfile.TemporaryDirectory(prefix="xbox-bench-dl-") as tmp:
        folder = Path(tmp)
        make_clip_file(folder / "clip.mp4", size)
        make_clip_file(folder / "small.mp4", SMALL_MIB * MIB)
        argv = [sys.executable, str(BENCH / "downloads.py"), "serve", "--folder", tmp]
        if args.server_cpu is not None:
            argv += ["--cpu", str(args.server_cpu)]
        server = harness.Worker(argv, name="file server")
        try:
            port = server.read()["port"]
            url = f"http://127.0.0.1:{port}/clip.mp4"
            small = ours(f"http://127.0.0.1:{port}/small.mp4", SMALL_MIB * MIB, folder / "s.mp4")
            runs: dict[str, list[dict[str, float]]] = {"xbox": [], "curl": [], "httpx": []}
            variants = [("xbox", lambda: ours(url, size, folder / "ours.mp4")),
                        ("curl", lambda: curl(url, size, folder / "curl.mp4")),
                        ("httpx", lambda: ours(url, size, folder / "raw.mp4", "rawfetch"))]
            for r in range(args.download_rounds):
                for name, go in harness.rotated(variants, r):
                    runs[name].append(go())
        finally:
            server.close()
    def ratio(name: str, base: str, fsync: bool = False) -> Spread:
        return Spread.of([x["wall"] / (y["wall"] + (y["fsync"] if fsync else 0.0))
                          for x, y in zip(runs[name], runs[base], strict=True)])

    def median(name: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[name])

    rss = max(r["rss"] for r in runs["xbox"])
    growth = rss - small["rss"]
    curl_s = median("curl", "wall")
    return [
        Row("6", what, "wall ratio", ratio("xbox", "curl"), GOAL_RATIO,
            f"curl {curl_s:.2f} s ({args.download_mib / curl_s:.0f} MiB/s), xbox "
            f"{median('xbox', 'wall'):.2f} s; client CPU {median('xbox', 'cpu'):.2f} s vs "
            f"{median('curl', 'cpu'):.2f} s"),
        Row("6", f"download {args.download_mib:,} MiB: `xbl.download` peak RSS", "MiB",
            Spread.of([r["rss"] for r in runs["xbox"]]), None,
            f"{SMALL_MIB} MiB file: {small['rss']:.0f} MiB; curl "
            f"{max(r['rss'] for r in runs['curl']):.0f} MiB",
            fmt="{:.0f}", goal_text=f"flat: ≤ +{FLAT_MIB} MiB over the {SMALL_MIB} MiB file",
            extra_ok=growth <= FLAT_MIB,
            extra_why=f"RSS not flat: +{growth:.0f} MiB over the {SMALL_MIB} MiB download"),
        Row("6", f"download {args.download_mib:,} MiB: `xbl.download` ÷ (`curl -o` + one fsync)",
            "wall ratio", ratio("xbox", "curl", fsync=True), None,
            f"the fsync of curl's file: {median('curl', 'fsync'):.2f} s"),
        Row("6", f"download {args.download_mib:,} MiB: raw httpx `iter_raw` to a file ÷ `curl -o`",
            "wall ratio", ratio("httpx", "curl"), None,
            "the floor of an httpx client (no hash, no checks, no fsync)"),
    ]


def _has_curl() -> bool:
    try:
        subprocess.run(["curl", "--version"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return True


# -- the two processes --------------------------------------------------------------------------


def serve(folder: str, cpu: int | None) -> int:
    """A plain HTTP file server for the folder's files (GET only, whole files, sendfile)."""
    harness.pin(cpu)
    root = Path(folder)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            path = root / self.path.lstrip("/").split("?", 1)[0]
            if not path.is_file() or path.parent != root:
                self.send_error(404)
                return
            with path.open("rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                self.send_response(200)
                self.send_header("Content-Type", "video/mp4")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                self.wfile.flush()
                self.connection.sendfile(fh)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    harness.serve_commands({}, hello={"port": httpd.server_address[1]})
    httpd.shutdown()
    return 0


def fetch(url: str, size: int, dest: str) -> int:
    """One ``xbl.download`` of a clip whose Download locator is ``url``; prints its wall time."""
    import xbox
    from xbox.models import Clip

    expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    clip = Clip.from_wire({
        "gameClipId": "00000000-0000-4000-8000-00000000b16c", "state": 6, "type": 8,
        "xuid": "2533274812246958", "scid": "a1e40100-51f2-4c05-9d6f-8c6bd7f3c4ab",
        "gameClipUris": [{"uri": url, "fileSize": size, "uriType": 2, "expiration": expires}]})
    with xbox.Client(base_url=None, token_store=None) as xbl:
        start = time.perf_counter()
        result = xbl.download(clip, dest)
        wall = time.perf_counter() - start
    assert result.size == size
    print(json.dumps({"wall": wall}))
    return 0


def rawfetch(url: str, size: int, dest: str) -> int:
    """The floor for an httpx client: stream the body to a file in 256 KiB pieces (no checks,
    no hash, no fsync)."""
    import httpx

    start = time.perf_counter()
    with httpx.Client() as client, client.stream("GET", url) as response, \
            open(dest, "wb") as fh:
        for piece in response.iter_raw(256 * 1024):
            fh.write(piece)
    wall = time.perf_counter() - start
    assert os.path.getsize(dest) == size
    print(json.dumps({"wall": wall}))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description="row 6's file server and client")
    sub = parser.add_subparsers(dest="what", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--folder", required=True)
    s.add_argument("--cpu", type=int, default=None)
    for name in ("fetch", "rawfetch"):
        f = sub.add_parser(name)
        f.add_argument("--url", required=True)
        f.add_argument("--size", type=int, required=True)
        f.add_argument("--dest", required=True)
    args = parser.parse_args()
    if args.what == "serve":
        return serve(args.folder, args.cpu)
    return (fetch if args.what == "fetch" else rawfetch)(args.url, args.size, args.dest)


if __name__ == "__main__":
    sys.exit(main())
