"""The archive's gallery: ``index.html`` at the archive root, to look at what was saved.

A static page: no server, no network, no external asset (the CSS and the few lines of
script are inline, and its Content-Security-Policy forbids fetching anything but the local
files beside it). Open it from the file manager or ``file://``. It shows:

* a banner of what is at risk, from the catalogue (captures not archived yet that Xbox Live
  is expected to delete soon, overdue ones it still lists, failures);
* every archived capture's thumbnail, grouped by game and then by day, newest first, with
  a clip's duration on it;
* a click plays the clip (an HTML5 ``<video>`` of the local MP4) or shows the screenshot,
  and each capture links to its JSON sidecar.

The page is written atomically (``index.html.part``, then a rename), so a browser never
reads half of it. It reads well from phone width up (a CSS grid of thumbnails).
"""

from __future__ import annotations

import html
import os
import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from .catalogue import DONE, ArchiveStatus, Catalogue, CatalogueRow, status

__all__ = ["GALLERY_NAME", "render_gallery", "write_gallery"]

GALLERY_NAME = "index.html"
AT_RISK_SHOWN = 12  # the banner lists this many at-risk captures, then counts the rest

_CSP = ("default-src 'none'; img-src 'self' file: data:; media-src 'self' file:; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'")

_CSS = """
:root { color-scheme: light dark; --bg: #f6f6f4; --fg: #1b1b1b; --muted: #666; --card: #fff;
  --line: #ddd; --accent: #107c10; --warn: #b35c00; --bad: #b00020; }
@media (prefers-color-scheme: dark) { :root { --bg: #151515; --fg: #eee; --muted: #aaa;
  --card: #222; --line: #333; --accent: #5dc25d; --warn: #f0a040; --bad: #ff6b7f; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  background: var(--bg); color: var(--fg); }
header, main { max-width: 1200px; margin: 0 auto; padding: 0 16px; }
header h1 { font-size: 1.4rem; margin: 16px 0 4px; }
header p { margin: 0 0 12px; color: var(--muted); }
.banner { border-left: 6px solid var(--accent); background: var(--card); padding: 10px 14px;
  margin: 0 0 16px; border-radius: 6px; }
.banner.warn { border-color: var(--warn); } .banner.bad { border-color: var(--bad); }
.banner h2 { font-size: 1.05rem; margin: 0 0 4px; }
.banner ul { margin: 6px 0 0; padding-left: 20px; }
.banner code { font-size: .9em; overflow-wrap: anywhere; }
nav { display: flex; flex-wrap: wrap; gap: 6px; margin: 0 0 12px; }
nav a { background: var(--card); border: 1px solid var(--line); border-radius: 999px;
  padding: 2px 10px; color: inherit; text-decoration: none; font-size: .9rem; }
section.game h2 { font-size: 1.2rem; margin: 20px 0 4px; border-bottom: 1px solid var(--line); }
section.game h3 { font-size: .95rem; color: var(--muted); margin: 12px 0 6px; font-weight: 600; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 10px; }
@media (max-width: 480px) { .grid { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
  header, main { padding: 0 10px; } }
figure.capture { margin: 0; background: var(--card); border: 1px solid var(--line);
  border-radius: 8px; overflow: hidden; }
figure.capture a.open { position: relative; display: block; aspect-ratio: 16 / 9;
  background: #000; }
figure.capture img { width: 100%; height: 100%; object-fit: cover; display: block; }
.badge { position: absolute; right: 6px; bottom: 6px; background: rgba(0,0,0,.75);
  color: #fff; font-size: .8rem; padding: 1px 6px; border-radius: 4px;
  font-variant-numeric: tabular-nums; }
.badge.kind { left: 6px; right: auto; }
figcaption { padding: 6px 8px; font-size: .85rem; display: flex; justify-content: space-between;
  gap: 6px; flex-wrap: wrap; }
figcaption a { color: var(--accent); }
.noimg { display: flex; align-items: center; justify-content: center; height: 100%;
  color: #ccc; font-size: .9rem; }
dialog { border: 0; padding: 0; background: #000; max-width: 96vw; max-height: 92vh; }
dialog::backdrop { background: rgba(0,0,0,.8); }
dialog video, dialog img { display: block; width: min(960px, 94vw); max-height: 84vh;
  object-fit: contain; background: #000; }
.banner details { margin-top: 6px; } .banner summary { cursor: pointer; }
dialog .bar { display: flex; justify-content: space-between; gap: 8px; padding: 6px 10px;
  color: #eee; font-size: .9rem; }
dialog .bar a, dialog .bar button { color: #eee; background: none; border: 0; font: inherit;
  cursor: pointer; }
footer { color: var(--muted); font-size: .8rem; text-align: center; padding: 24px 0; }
"""

_SCRIPT = """
(function () {
  var dialog = document.getElementById('viewer');
  var video = dialog.querySelector('video');
  var image = dialog.querySelector('img');
  var file = dialog.querySelector('a.file');
  function close() { video.pause(); video.removeAttribute('src'); video.load(); dialog.close(); }
  dialog.querySelector('button.close').addEventListener('click', close);
  dialog.addEventListener('cancel', function () { video.pause(); });
  document.querySelectorAll('a.open').forEach(function (link) {
    link.addEventListener('click', function (event) {
      if (!dialog.showModal) { return; }
      event.preventDefault();
      var clip = link.dataset.kind === 'clip';
      video.hidden = !clip; image.hidden = clip;
      if (clip) { video.src = link.getAttribute('href'); video.play().catch(function () {}); }
      else { image.src = link.getAttribute('href'); }
      file.href = link.getAttribute('href');
      dialog.showModal();
    });
  });
})();
"""


def _url(rel: str) -> str:
    """A file's path relative to the page, as a URL (spaces, ``#``, ``®``... encoded)."""
    return quote(PurePosixPath(rel).as_posix(), safe="/")


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def _duration(seconds: float | None) -> str:
    if not seconds:
        return ""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _thumbnail(row: CatalogueRow) -> str | None:
    """The small thumbnail if it was saved, else the large one (None: neither)."""
    pngs = [f for f in row.files if f.endswith(".png")]
    for size in (".small.png", ".large.png"):
        for rel in pngs:
            if rel.endswith(size):
                return rel
    return pngs[0] if pngs else None


def _sidecar(row: CatalogueRow) -> str | None:
    return next((f for f in row.files if f.endswith(".json")), None)


def _card(row: CatalogueRow, *, show_owner: bool) -> str:
    assert row.path is not None
    kind = "clip" if row.kind == "clip" else "screenshot"
    when = row.recorded.strftime("%H:%M") if row.recorded else ""
    title = row.title or "Unknown title"
    thumb = _thumbnail(row) or (row.path if kind == "screenshot" else None)
    alt = f"{'Clip' if kind == 'clip' else 'Screenshot'} of {title}" + (
        f", {row.recorded:%Y-%m-%d %H:%M} UTC" if row.recorded else "")
    picture = (f'<img loading="lazy" src="{_attr(_url(thumb))}" alt="{_attr(alt)}">' if thumb
               else f'<span class="noimg">{_attr(title)}</span>')
    badges = (f'<span class="badge">{_duration(row.duration)}</span>'
              if kind == "clip" and row.duration else "")
    badges += '<span class="badge kind">▶</span>' if kind == "clip" else ""
    sidecar = _sidecar(row)
    meta = f'<a class="sidecar" href="{_attr(_url(sidecar))}">metadata</a>' if sidecar else ""
    owner = f"{_attr(row.gamertag or '')} · " if show_owner and row.gamertag else ""
    return (f'<figure class="capture {kind}" data-id="{_attr(row.id)}" data-kind="{kind}">'
            f'<a class="open" data-kind="{kind}" href="{_attr(_url(row.path))}" '
            f'title="{_attr(alt)}">{picture}{badges}</a>'
            f'<figcaption><span>{owner}{when}</span>{meta}</figcaption></figure>')


def _banner(report: ArchiveStatus, archived: int) -> str:
    at_risk = report.at_risk
    still = report.overdue_still_listed
    soon = [r for r in at_risk if not r.overdue(report.now)]
    lines: list[str] = []
    if soon:
        lines.append(f"{len(soon)} not archived yet that Xbox Live is expected to delete within "
                     f"{report.within_days:g} days")
    if still:
        lines.append(f"{len(still)} past their expected deletion but still listed: fetch them now")
    gone = len(report.expired) - len(still)
    if gone:
        lines.append(f"{gone} past their expected deletion and not listed since: may be lost")
    if report.failed:
        lines.append(f"{report.failed} failed on the last run (retried on the next)")
    if report.unreadable:
        lines.append(f"{len(report.unreadable)} records Xbox Live sent could not be read")
    if not lines:
        level = "ok"
        heading = (f"All {archived} captures Xbox Live listed are archived"
                   if not report.pending else
                   f"{archived} archived; {report.pending} waiting for the next run, none at risk")
    else:
        level = "bad" if (gone or still or soon) else "warn"
        heading = f"{archived} archived; at risk:"
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    risky = ""
    if at_risk:
        shown = [f"<li><code>{_attr(r.id)}</code> {_attr(r.kind)} of "
                 f"{_attr(r.title or 'unknown title')} ({_attr(r.gamertag or '')}): "
                 f"{_attr(r.retention(report.now))}</li>" for r in at_risk[:AT_RISK_SHOWN]]
        more = len(at_risk) - AT_RISK_SHOWN
        if more > 0:
            shown.append(f"<li>and {more} more: <code>xbox archive status</code> lists them</li>")
        risky = (f"<details><summary>The {len(at_risk)} captures at risk, soonest first"
                 f'</summary><ul class="at-risk">{"".join(shown)}</ul></details>')
    return (f'<div class="banner {level}" id="status"><h2>{html.escape(heading)}</h2>'
            f'{f"<ul>{items}</ul>" if items else ""}{risky}</div>')


def _groups(rows: Iterable[CatalogueRow]) -> list[tuple[str, list[tuple[str, list[CatalogueRow]]]]]:
    """Rows by game, then by day: games with the newest capture first, days newest first."""
    far = datetime.min.replace(tzinfo=UTC)
    by_game: dict[str, list[CatalogueRow]] = defaultdict(list)
    for row in rows:
        by_game[row.title or "Unknown title"].append(row)
    games = []
    for game, items in by_game.items():
        items.sort(key=lambda r: (r.recorded or far, r.id), reverse=True)
        days: dict[str, list[CatalogueRow]] = defaultdict(list)
        for row in items:
            days[f"{row.recorded:%Y-%m-%d}" if row.recorded else "unknown date"].append(row)
        games.append((game, list(days.items()), items[0].recorded or far))
    games.sort(key=lambda g: (g[2], g[0]), reverse=True)
    return [(game, days) for game, days, _ in games]


def render_gallery(dest: str | os.PathLike[str], *, now: float | None = None,
                   within_days: float = 7) -> str:
    """The gallery page of an archive folder, as HTML text (read from its catalogue)."""
    folder = Path(dest)
    when = time.time() if now is None else now
    with Catalogue(folder, readonly=True) as cat:
        rows = [r for r in cat.rows() if r.status == DONE and r.path]
    report = status(folder, within_days=within_days, now=when)
    owners = {r.gamertag for r in rows if r.gamertag}
    show_owner = len(owners) > 1
    groups = _groups(rows)
    nav = "".join(f'<a href="#game-{i}">{html.escape(game)} '
                  f'({sum(len(d) for _, d in days)})</a>' for i, (game, days) in enumerate(groups))
    sections = []
    for i, (game, days) in enumerate(groups):
        parts = [f'<section class="game" id="game-{i}"><h2>{html.escape(game)}</h2>']
        for day, items in days:
            cards = "".join(_card(r, show_owner=show_owner) for r in items)
            parts.append(f'<h3>{html.escape(day)}</h3><div class="grid">{cards}</div>')
        parts.append("</section>")
        sections.append("".join(parts))
    clips = sum(1 for r in rows if r.kind == "clip")
    shots = len(rows) - clips
    whose = ", ".join(sorted(owners)) or "nobody yet"
    stamp = datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%d %H:%M UTC")
    empty = "" if rows else "<p>Nothing archived yet: run <code>xbox archive GAMERTAG</code>.</p>"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="generator" content="xbox archive">
<title>Xbox captures of {html.escape(whose)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>Xbox captures of {html.escape(whose)}</h1>
<p>{clips} clips and {shots} screenshots in {html.escape(folder.name or str(folder))}; updated {stamp}.
Times are UTC.</p>
{_banner(report, len(rows))}
<nav>{nav}</nav>
</header>
<main>
{empty}{"".join(sections)}
</main>
<dialog id="viewer"><div class="bar"><a class="file" href="#">open the file</a>
<button class="close" type="button" aria-label="close">close ✕</button></div>
<video controls playsinline preload="metadata" hidden></video><img alt="" hidden></dialog>
<footer>Made by <code>xbox archive</code>; refreshed on every run.</footer>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def write_gallery(dest: str | os.PathLike[str], *, now: float | None = None,
                  within_days: float = 7) -> Path:
    """Write ``index.html`` at the archive root (atomically) and return its path.

    ``xbox archive`` calls this after every run; call it after
    :meth:`~xbox.archive.Archive.archive_user` to do the same from Python.
    """
    folder = Path(dest)
    page = folder / GALLERY_NAME
    part = page.with_name(page.name + ".part")
    text = render_gallery(folder, now=now, within_days=within_days)
    try:
        with part.open("w", encoding="utf-8", errors="replace") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(part, page)
    except OSError:
        part.unlink(missing_ok=True)  # a full disk: no empty .part left behind
        raise
    return page
