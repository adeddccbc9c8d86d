"""The gallery at scale (issue 26): open time and Chromium's memory at 1k/10k/50k captures,
the gallery before (one page, ``main`` at 659ad07) and after (pages of data by month), in the
same run; and what writing it costs (first write, a run with nothing new, one new capture).

    .venv/bin/python bench/gallery.py [--sizes 1000,10000,50000] [--rounds 3]

Catalogues are made synthetically (rows inserted into a fresh catalogue: a dozen games over
about six years, three clips to a screenshot, each with its path, thumbnails and sidecar
names; no media is written, so the pictures in the grid are missing: both pages are measured
alike). Each open is a fresh headless Chromium (Debian's, driven by Playwright), from
``file://``:

* **to the viewer**: from the start of the navigation (the page's own clock) until a click
  on the first card opens the viewer (after: the first cards are on the page, marked by the
  gallery's ``performance.mark``; their script runs before any card exists; before: the
  page's script at its end has run, at ``DOMContentLoaded``; until then a click opens the
  raw file); each open then clicks the first card and checks that the viewer opened;
* **load event**: until the page's ``load`` event;
* **renderer PSS** and **JS heap**: the page's renderer process(es), and V8's used heap
  (``Performance.getMetrics``);
* **memory**: the proportional set size (PSS, from ``/proc/PID/smaps_rollup``) of every
  Chromium process, summed, once the page has loaded and settled (0.5 s), less the same of
  a Chromium showing ``about:blank`` (the median of three).

Prints the table (markdown) on stdout and progress on stderr.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from xbox.archive import CATALOGUE_NAME, Catalogue, update_gallery

ROOT = Path(__file__).resolve().parent.parent
BEFORE_COMMIT = "659ad07"  # main before the gallery was split by month
GAMES = ["Halo Infinite", "Forza Horizon 5", "Minecraft", "Sea of Thieves", "Starfield",
         "Microsoft Flight Simulator", "FIFA 14", "Assassin's Creed® Syndicate", "Hexic HD",
         "Danger Zone", "Halo 5: Guardians", "Super Mega Baseball™ 4"]
CAPTIONS = ["", "", "", "gg", "What a goal!", "clutch", "first try"]
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def make_catalogue(dest: Path, count: int, *, seed: int = 0) -> None:
    """``count`` archived captures, newest 2026-11-28, about 700 a month."""
    rng = random.Random(seed)
    dest.mkdir(parents=True)
    with Catalogue(dest):
        pass
    start = datetime(2026, 11, 28, 12, tzinfo=UTC)
    rows = []
    when = start
    for _ in range(count):
        when -= timedelta(seconds=rng.randint(60, 7400))
        kind = "clip" if rng.random() < 0.75 else "screenshot"
        game = rng.choice(GAMES)
        cid = f"{rng.getrandbits(128):032x}"
        cid = f"{cid[:8]}-{cid[8:12]}-{cid[12:16]}-{cid[16:20]}-{cid[20:]}"
        folder = f"JoeAlcorn/{game.replace(':', '_')}"
        media = f"{folder}/{when:%Y-%m-%d_%H%M%S}_{cid}.{'mp4' if kind == 'clip' else 'png'}"
        stem = media.rsplit(".", 1)[0]
        files = [f"{stem}.small.png", f"{stem}.large.png", f"{media}.json"]
        rows.append((cid, kind, "2533274812246958", "JoeAlcorn", game, when.isoformat(),
                     rng.randint(200_000, 90_000_000) if kind == "clip" else 300_000,
                     "0" * 64, media, json.dumps(files), "done", 1, start.isoformat(),
                     float(rng.randint(5, 300)) if kind == "clip" else None, 20_000))
    with sqlite3.connect(dest / CATALOGUE_NAME) as conn:
        conn.executemany(
            "INSERT INTO captures (id, kind, xuid, gamertag, title, recorded, size, sha256, path,"
            " files, status, saved, updated, duration, thumbnail_bytes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    # Sidecars with captions, for a tenth of the captures (the others have none on disk:
    # the writer reads a caption as "" then, as it does for a sidecar gone missing).
    for r in rows[: max(1, count // 10)]:
        sidecar = dest / json.loads(r[9])[2]
        sidecar.parent.mkdir(parents=True, exist_ok=True)
        sidecar.write_text(json.dumps({"gameClipId": r[0], "userCaption": rng.choice(CAPTIONS)}))


def before_module() -> ModuleType | None:
    """The gallery writer as it was at :data:`BEFORE_COMMIT` (None: no git history)."""
    try:
        source = subprocess.run(["git", "-C", str(ROOT), "show",
                                 f"{BEFORE_COMMIT}:src/xbox/archive/gallery.py"],
                                capture_output=True, check=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    spec = importlib.util.spec_from_loader("xbox.archive._gallery_before", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "xbox.archive"
    exec(compile(source, "gallery_before.py", "exec"), module.__dict__)
    return module


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == pid:
                found.append(int(entry))
    return found


def chromium_pss(renderers_only: bool = False) -> int:
    """Bytes of PSS of every Chromium process under this one (or of its renderers only)."""
    total, todo = 0, [os.getpid()]
    while todo:
        pid = todo.pop()
        kids = _children(pid)
        todo += kids
        if pid == os.getpid():
            continue
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
            if "chrom" not in name:
                continue
            if renderers_only and b"--type=renderer" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def open_once(playwright: Any, executable: str, page_path: Path, after: bool,
              timeout: float) -> dict[str, float]:
    browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(timeout * 1000)
        ready = ("document.querySelector('a.open') !== null" if after else
                 "document.readyState !== 'loading' && document.querySelector('a.open') !== null")
        start = time.perf_counter()
        page.goto(page_path.as_uri(), wait_until="commit")
        while not page.evaluate(ready):
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"not ready after {timeout} s")
            time.sleep(0.005)
        page.wait_for_load_state("load")
        # In the page's own clock, from the start of the navigation: the mark the gallery
        # sets once its first cards are on the page; the one-page gallery's script is at
        # its end, so it has run by DOMContentLoaded.
        nav = "performance.getEntriesByType('navigation')[0]"
        ready_at = ("performance.getEntriesByName('xbox-gallery-ready')[0].startTime" if after
                    else f"{nav}.domContentLoadedEventStart")
        viewer, loaded = page.evaluate(f"[{ready_at}, {nav}.loadEventStart]")
        viewer, loaded = viewer / 1000, loaded / 1000
        page.click("a.open")  # the viewer opens (and not the raw file)
        opened = page.evaluate("document.getElementById('viewer').open")
        if not opened or not page.url.startswith(page_path.as_uri()):
            raise AssertionError("a click did not open the viewer")
        page.keyboard.press("Escape")
        time.sleep(0.5)
        pss, renderer = chromium_pss(), chromium_pss(renderers_only=True)
        elements = page.evaluate("document.getElementsByTagName('*').length")
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        return {"viewer": viewer, "load": loaded, "pss": pss, "renderer": renderer,
                "heap": metrics.get("JSHeapUsedSize", 0), "elements": elements}
    finally:
        browser.close()


def blank_pss(playwright: Any, executable: str) -> int:
    """Chromium's PSS with an empty page: what every open costs before the gallery."""
    browser = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto("about:blank")
        time.sleep(0.5)
        return chromium_pss()
    finally:
        browser.close()


def spread(values: list[float], fmt: str) -> str:
    if not values:
        return "—"
    return " / ".join(fmt.format(v) for v in (min(values), statistics.median(values),
                                                max(values)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--rounds", type=int, default=3, help="opens of each page per size")
    parser.add_argument("--before-rounds", type=int, default=1,
                        help="opens of the one-page gallery at the largest size (it is slow)")
    parser.add_argument("--timeout", type=float, default=180)
    args = parser.parse_args(argv)
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        raise SystemExit("no chromium: apt-get install chromium")
    before = before_module()
    from playwright.sync_api import sync_playwright

    lines = ["| N | gallery | to the viewer, s | load event, s "
             "| renderer PSS, MB | JS heap, MB | Chromium PSS over an empty page, MB | elements "
             "| written, MB (files) | write: first / nothing new / one new (told its month), s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    work = Path(tempfile.mkdtemp(prefix="xbox-gallery-bench-"))
    started = time.monotonic()
    try:
        with sync_playwright() as playwright:
            blank = statistics.median(blank_pss(playwright, executable) for _ in range(3))
            for n in (int(s) for s in args.sizes.split(",")):
                say(f"{n} captures: catalogue ...")
                dest = work / f"n{n}"
                make_catalogue(dest, n)
                old_page = dest / "index-before.html"
                writes: dict[str, list[float]] = {"after": [], "before": []}
                if before is not None:
                    say(f"{n}: the one-page gallery ...")
                    writes["before"].append(timed(lambda d=dest, p=old_page: p.write_text(
                        before.render_gallery(d), encoding="utf-8")))
                say(f"{n}: the gallery by month ...")
                writes["after"].append(timed(lambda d=dest: update_gallery(d)))
                noop = min(timed(lambda d=dest: update_gallery(d)) for _ in range(3))
                told = min(timed(lambda d=dest: update_gallery(d, months=["2026-11"]))
                           for _ in range(3))
                assert update_gallery(dest).written == []
                with sqlite3.connect(dest / CATALOGUE_NAME) as conn:
                    conn.execute("UPDATE captures SET title = 'Renamed' WHERE id = (SELECT id "
                                 "FROM captures ORDER BY recorded DESC LIMIT 1)")
                one = timed(lambda d=dest: update_gallery(d, months=["2026-11"]))
                data = [p for p in (dest / ".gallery").rglob("*.js")] + [dest / "index.html"]
                size_after = sum(p.stat().st_size for p in data) / 1e6
                results: dict[str, list[dict[str, float]]] = {"after": [], "before": []}
                rounds_before = (args.rounds if n < 50_000 else args.before_rounds)
                for r in range(max(args.rounds, rounds_before)):
                    order = ["after", "before"] if r % 2 == 0 else ["before", "after"]
                    for which in order:
                        if which == "before" and (before is None or r >= rounds_before):
                            continue
                        page = dest / "index.html" if which == "after" else old_page
                        try:
                            results[which].append(open_once(playwright, executable, page,
                                                            which == "after", args.timeout))
                        except Exception as exc:  # a timeout at 50k is a result too
                            say(f"{n} {which}: {type(exc).__name__}: {exc}")
                        say(f"{n} {which} round {r}: {results[which][-1:]}")
                for which in ("before", "after"):
                    got = results[which]
                    if which == "before" and before is None:
                        continue
                    size = (old_page.stat().st_size / 1e6, 1) if which == "before" else (
                        size_after, len(data))
                    write = (f"{writes['before'][0]:.2f} / same / same (all rewritten)"
                             if which == "before"
                             else f"{writes['after'][0]:.2f} / {noop:.3f} ({told:.3f} told "
                                  f"the month) / {one:.3f}")
                    lines.append(
                        f"| {n:,} | {'one page (before)' if which == 'before' else 'by month (after)'}"
                        f" | {spread([g['viewer'] for g in got], '{:.2f}')}"
                        f" | {spread([g['load'] for g in got], '{:.2f}')}"
                        f" | {spread([g['renderer'] / 1e6 for g in got], '{:.0f}')}"
                        f" | {spread([g['heap'] / 1e6 for g in got], '{:.1f}')}"
                        f" | {spread([(g['pss'] - blank) / 1e6 for g in got], '{:.0f}')}"
                        f" | {int(statistics.median([g['elements'] for g in got])) if got else '—'}"
                        f" | {size[0]:.1f} ({size[1]}) | {write} |")
                shutil.rmtree(dest, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n".join(lines))
    print()
    print(f"min / median / max over {args.rounds} opens (the one-page gallery at 50,000: "
          f"{args.before_rounds}); {time.monotonic() - started:.0f} s; {os.cpu_count()} CPUs, "
          f"shared; Chromium with an empty page: {blank / 1e6:.0f} MB PSS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
