"""The archive's gallery in a real browser: Debian's Chromium, headless, driven by Playwright,
loading ``index.html`` from ``file://`` as a person opening it would, and checked by what a
person sees: which elements are on screen (their boxes and computed styles, not only the
DOM), what the viewer shows after a screenshot and after a clip, the grid by month and by
game, the filters and the search, the keyboard. Screenshots of the desktop and phone layouts
are kept as test artifacts (their paths are printed).

The writer is checked without a browser: a run with nothing new rewrites no file (inodes
and modification times stay), a new capture rewrites its month and the manifest only.

The browser tests are skipped, saying so, only when no Chromium is installed (``.ci/run``
installs it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from xbox.archive import (
    CATALOGUE_NAME,
    GALLERY_DATA,
    GALLERY_NAME,
    Catalogue,
    CatalogueRow,
    render_gallery,
    update_gallery,
)
from xbox.cli import cli
from xbox.sandbox import JOE_GAMERTAG, Sandbox

CHROMIUM_ENV = "XBOX_TEST_CHROMIUM"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
# Is this element on screen: a box of some size, displayed, visible.
ON_SCREEN = """el => { const r = el.getBoundingClientRect(), s = getComputedStyle(el);
  return r.width > 0 && r.height > 0 && s.display !== 'none' && s.visibility !== 'hidden'; }"""


def chromium_path() -> str | None:
    """``$XBOX_TEST_CHROMIUM``, else Debian's ``chromium`` on the PATH."""
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        return configured if Path(configured).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """JoeAlcorn's whole archive (clips and screenshots of a dozen games over two months),
    made by the command as a user runs it."""
    dest = tmp_path_factory.mktemp("gallery") / "captures"
    sandbox = Sandbox(seed=0, rate_limits=False)
    result = CliRunner().invoke(cli, ["--sandbox", "archive", JOE_GAMERTAG, "--dest", str(dest)],
                                obj=sandbox, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return dest


@pytest.fixture(scope="module")
def archived(archive_dir: Path) -> list[CatalogueRow]:
    with Catalogue(archive_dir, readonly=True) as cat:
        return [r for r in cat.rows() if r.status == "done"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium installed (apt-get install chromium; or set "
                    f"{CHROMIUM_ENV}): the gallery is checked in a real browser only")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Opened:
    """A gallery page in the browser, with what it fetched from outside and what it
    complained of."""

    def __init__(self, browser: Any, url: str, width: int = 1280, height: int = 900,
                 wait: str = "load") -> None:
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.remote: list[str] = []
        self.problems: list[str] = []
        self.page.on("request", lambda r: None if r.url.startswith("file:")
                     else self.remote.append(r.url))
        self.page.on("console", lambda m: self.problems.append(m.text)
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(str(e)))
        self.page.goto(url, wait_until=wait)

    def until(self, expression: str, timeout: float = 15) -> Any:
        """Poll ``expression`` in the page until it is truthy (page.wait_for_function
        evaluates strings with eval, which the gallery's Content-Security-Policy refuses)."""
        deadline = time.monotonic() + timeout
        while not (value := self.page.evaluate(expression)):
            assert time.monotonic() < deadline, f"timed out waiting for {expression}"
            time.sleep(0.05)
        return value

    def visible(self, selector: str) -> bool:
        return bool(self.page.eval_on_selector(selector, ON_SCREEN))

    def cards(self) -> list[str]:
        return list(self.page.eval_on_selector_all("a.open", "els => els.map(e => e.dataset.id)"))

    def everything(self) -> list[str]:
        """Scroll to the end until every card of the current choice is on the page."""
        deadline = time.monotonic() + 30
        while True:
            self.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
            text = self.page.inner_text(".count")
            if re.fullmatch(r"\d+ (captures?|match|matches)", text):
                return self.cards()
            assert time.monotonic() < deadline, text
            time.sleep(0.05)

    def viewer(self) -> dict[str, Any]:
        """What the viewer shows: which of its video and picture are on screen, and theirs."""
        return dict(self.page.evaluate(f"""(() => {{
            const d = document.getElementById('viewer'), v = d.querySelector('video'),
                  i = d.querySelector('img'), on = {ON_SCREEN};
            return {{open: d.open, id: d.dataset.id, video: on(v), image: on(i),
                     videoSrc: v.getAttribute('src'), imageSrc: i.getAttribute('src'),
                     paused: v.paused, caption: d.querySelector('.caption').textContent,
                     meta: d.querySelector('.meta').textContent,
                     pos: d.querySelector('.pos').textContent}}; }})()"""))

    def close(self) -> None:
        self.page.close()
        assert self.remote == []  # nothing fetched from anywhere
        assert self.problems == []  # no script error, no CSP refusal


def _captions(archive_dir: Path, rows: list[CatalogueRow]) -> dict[str, str]:
    found = {}
    for r in rows:
        sidecar = next(f for f in r.files if f.endswith(".json"))
        found[r.id] = json.loads((archive_dir / sidecar).read_text("utf-8")).get("userCaption") or ""
    return found


def test_the_viewer_shows_the_capture_opened_and_nothing_else(browser: Any, archive_dir: Path,
                                                             archived: list[CatalogueRow],
                                                             tmp_path: Path) -> None:
    """Issue 23 item 1: a screenshot showed an empty video player above it, and a clip opened
    after a screenshot showed the old screenshot below it."""
    by_id = {r.id: r for r in archived}
    gallery = Opened(browser, (archive_dir / GALLERY_NAME).as_uri())
    page = gallery.page
    gallery.until("document.querySelectorAll('a.open').length > 0")
    assert not gallery.viewer()["open"]

    page.click("a.open.screenshot")
    gallery.until("document.querySelector('#viewer img').naturalWidth > 0")
    shot = gallery.viewer()
    assert shot["open"] and by_id[shot["id"]].kind == "screenshot"
    assert shot["image"] and not shot["video"] and shot["videoSrc"] is None
    assert shot["imageSrc"].endswith(".png") and shot["imageSrc"] == _url_of(by_id[shot["id"]])
    box = page.eval_on_selector("#viewer img", "e => e.getBoundingClientRect().height")
    assert box > 200  # the picture fills the viewer: no empty player above it
    screenshot_view = tmp_path / "viewer-screenshot.png"
    page.screenshot(path=str(screenshot_view))

    page.keyboard.press("Escape")
    gallery.until("!document.getElementById('viewer').open")
    page.click("a.open.clip")
    gallery.until("document.querySelector('#viewer video').readyState >= 1")
    clip = gallery.viewer()
    assert clip["open"] and by_id[clip["id"]].kind == "clip"
    assert clip["video"] and not clip["image"] and clip["imageSrc"] is None  # no old screenshot
    assert clip["videoSrc"] == _url_of(by_id[clip["id"]])
    duration, error = page.evaluate("[document.querySelector('#viewer video').duration,"
                                    " document.querySelector('#viewer video').error]")
    assert error is None and abs(duration - (by_id[clip["id"]].duration or 0)) < 1
    # Nothing below the player: the dialog is the player and the caption bar.
    stack = page.evaluate("""[...document.querySelectorAll('#viewer .stage > *')]
        .filter(e => e.getBoundingClientRect().height > 0 && e.tagName !== 'BUTTON')
        .map(e => e.tagName)""")
    assert stack == ["VIDEO"]
    clip_view = tmp_path / "viewer-clip.png"
    page.screenshot(path=str(clip_view))

    # From a clip to a screenshot with the arrow keys: the clip stops and goes.
    order = gallery.cards()
    at = order.index(clip["id"])
    later = next(i for i in order[at + 1:] if by_id[i].kind == "screenshot")
    for _ in range(order.index(later) - at):
        page.keyboard.press("ArrowRight")
    gallery.until("document.querySelector('#viewer img').naturalWidth > 0")
    after = gallery.viewer()
    assert after["id"] == later and after["image"] and not after["video"]
    assert after["videoSrc"] is None and after["paused"]
    gallery.close()
    print(f"\nviewer screenshots: {screenshot_view} {clip_view}")


def _url_of(row: CatalogueRow) -> str:
    from urllib.parse import quote

    assert row.path is not None
    return quote(row.path, safe="/")


def test_the_grid_by_month_and_by_game_on_a_desktop_and_a_phone(
        browser: Any, archive_dir: Path, archived: list[CatalogueRow], tmp_path: Path) -> None:
    url = (archive_dir / GALLERY_NAME).as_uri()
    gallery = Opened(browser, url)
    page = gallery.page
    gallery.until("document.querySelectorAll('a.open').length > 0")
    desktop = tmp_path / "gallery-desktop-by-month.png"
    page.screenshot(path=str(desktop))
    months = Counter(f"{r.recorded:%B %Y}" for r in archived if r.recorded)
    shown = gallery.everything()
    assert sorted(shown) == sorted(r.id for r in archived)  # every capture, once
    newest_first = [r.id for r in sorted(archived, key=lambda r: (r.recorded, r.id), reverse=True)]
    assert shown == newest_first
    headings = page.eval_on_selector_all("section.group > h2", "els => els.map(e => e.firstChild"
                                         ".textContent + '|' + e.querySelector('small').textContent)")
    assert headings == [f"{m}|{n} captures" for m, n in sorted(
        months.items(), key=lambda kv: datetime.strptime(kv[0], "%B %Y"), reverse=True)]
    # Dense: at least six columns at 1280 pixels, and the grid fills the width.
    columns = page.evaluate(
        "getComputedStyle(document.querySelector('.grid')).gridTemplateColumns.split(' ').length")
    assert columns >= 6
    width = page.evaluate("document.querySelector('.grid').getBoundingClientRect().width")
    assert width > 1200
    images = page.eval_on_selector_all("a.open img", "els => els.slice(0, 12).map("
                                       "e => [e.complete, e.naturalWidth])")
    assert images and all(done and w > 0 for done, w in images)

    page.click("text=by game")
    gallery.until("location.hash === '#by=game'")
    games = Counter(r.title for r in archived)
    by_game = gallery.everything()
    assert sorted(by_game) == sorted(shown)
    titles = page.eval_on_selector_all("section.group > h2", "els => els.map(e => e.firstChild"
                                       ".textContent)")
    assert sorted(titles) == sorted(games)
    newest = {g: max(r.recorded for r in archived if r.title == g) for g in games}
    assert titles == sorted(games, key=lambda g: newest[g], reverse=True)
    for section in page.query_selector_all("section.group"):
        title = section.eval_on_selector("h2", "e => e.firstChild.textContent")
        ids = section.eval_on_selector_all("a.open", "els => els.map(e => e.dataset.id)")
        assert len(ids) == games[title]
    game_view = tmp_path / "gallery-desktop-by-game.png"
    page.screenshot(path=str(game_view))
    gallery.close()

    # The choice is in the URL: opening it again shows the games.
    again = Opened(browser, url + "#by=game")
    again.until("document.querySelectorAll('section.group').length > 0")
    assert again.page.evaluate("document.querySelector('input[value=game]').checked")
    assert again.page.eval_on_selector("section.group > h2", "e => e.firstChild.textContent") \
        == titles[0]
    again.close()

    phone = Opened(browser, url, 390, 844)
    phone.until("document.querySelectorAll('a.open').length > 0")
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    columns = phone.page.evaluate(
        "getComputedStyle(document.querySelector('.grid')).gridTemplateColumns.split(' ').length")
    assert columns == 3
    phone_grid = tmp_path / "gallery-phone.png"
    phone.page.screenshot(path=str(phone_grid))
    phone.page.click("a.open.clip")
    phone.until("document.querySelector('#viewer video').readyState >= 1")
    view = phone.viewer()
    assert view["video"] and not view["image"]
    box = phone.page.eval_on_selector("#viewer", "e => e.getBoundingClientRect().toJSON()")
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    phone_viewer = tmp_path / "gallery-phone-viewer.png"
    phone.page.screenshot(path=str(phone_viewer))
    phone.close()
    print(f"\ngallery screenshots: {desktop} {game_view} {phone_grid} {phone_viewer}")


def test_filters_and_search_narrow_the_grid_and_stay_in_the_url(
        browser: Any, archive_dir: Path, archived: list[CatalogueRow]) -> None:
    url = (archive_dir / GALLERY_NAME).as_uri()
    captions = _captions(archive_dir, archived)
    games = Counter(r.title for r in archived)
    game = next(g for g, n in games.most_common() if n > 3 and any(
        r.kind == "screenshot" for r in archived if r.title == g))
    gallery = Opened(browser, url)
    page = gallery.page
    gallery.until("document.querySelectorAll('a.open').length > 0")

    page.select_option("select.game", game)
    gallery.until(f"new URLSearchParams(location.hash.slice(1)).get('game') === {json.dumps(game)}")
    assert sorted(gallery.everything()) == sorted(r.id for r in archived if r.title == game)
    page.select_option("select[name=type]", "screenshot")
    expected = sorted(r.id for r in archived if r.title == game and r.kind == "screenshot")
    gallery.until(f"document.querySelectorAll('a.open').length === {len(expected)}")
    assert sorted(gallery.everything()) == expected
    assert page.inner_text(".count") == f"{len(expected)} capture" + "s" * (len(expected) != 1)

    page.click("button.reset")
    months = sorted({f"{r.recorded:%Y-%m}" for r in archived if r.recorded})
    assert len(months) >= 2
    page.fill("input[name=from]", months[0])  # type=month: the value is YYYY-MM
    page.fill("input[name=to]", months[0])
    gallery.until(f"location.hash.includes('to={months[0]}')")
    in_range = sorted(r.id for r in archived if r.recorded and f"{r.recorded:%Y-%m}" == months[0])
    gallery.until(f"document.querySelector('.count').textContent === '{len(in_range)} captures'")
    assert sorted(gallery.everything()) == in_range

    page.click("button.reset")
    word = Counter(c for c in captions.values() if c).most_common(1)[0][0]
    page.fill("input[type=search]", word.lower())
    gallery.until("location.hash.includes('q=')")
    matching = sorted(i for i, c in captions.items() if word.lower() in c.lower()
                      or word.lower() in (next(r.title for r in archived if r.id == i) or "").lower())
    gallery.until("/match/.test(document.querySelector('.count').textContent)")
    assert sorted(gallery.everything()) == matching and matching
    # A game's name is searched too.
    page.fill("input[type=search]", game.split()[0].lower())
    gallery.until("new URLSearchParams(location.hash.slice(1)).get('q') === "
                  f"{json.dumps(game.split()[0].lower())}")
    gallery.until("/match/.test(document.querySelector('.count').textContent)")
    found = set(gallery.everything())
    assert {r.id for r in archived if r.title == game} <= found
    kept = page.evaluate("location.href")
    gallery.close()

    # The search, kept in the URL, is the same when the page is opened again.
    again = Opened(browser, kept)
    again.until("/match/.test(document.querySelector('.count').textContent)")
    assert set(again.everything()) == found
    assert again.page.input_value("input[type=search]") == game.split()[0].lower()
    again.close()


def test_the_viewer_steps_through_the_grid_by_keyboard(browser: Any, archive_dir: Path,
                                                      archived: list[CatalogueRow]) -> None:
    by_id = {r.id: r for r in archived}
    captions = _captions(archive_dir, archived)
    gallery = Opened(browser, (archive_dir / GALLERY_NAME).as_uri())
    page = gallery.page
    gallery.until("document.querySelectorAll('a.open').length > 0")
    order = gallery.cards()
    page.click(f"a.open[data-id='{order[0]}']")
    gallery.until("document.getElementById('viewer').open")
    seen = [gallery.viewer()]
    for _ in range(4):
        page.keyboard.press("ArrowRight")
        gallery.until(f"document.getElementById('viewer').dataset.id !== '{seen[-1]['id']}'")
        seen.append(gallery.viewer())
    assert [v["id"] for v in seen] == order[:5]
    for view in seen:
        row = by_id[view["id"]]
        # The right element for each kind, and what a person wants to know about it.
        assert view["video"] == (row.kind == "clip") and view["image"] == (row.kind != "clip")
        assert (view["caption"] == captions[row.id]) if captions[row.id] else row.title in \
            view["caption"]
        assert row.title in view["meta"] and f"{row.recorded:%Y-%m-%d %H:%M} UTC" in view["meta"]
        assert ("KB" in view["meta"] or "MB" in view["meta"])
        if row.kind == "clip":
            minutes, seconds = divmod(round(row.duration or 0), 60)
            assert f"{minutes}:{seconds:02d}" in view["meta"]
    assert seen[0]["pos"] == f"1 of {len(archived)}"
    page.keyboard.press("ArrowLeft")
    gallery.until(f"document.getElementById('viewer').dataset.id === '{order[3]}'")
    page.keyboard.press("Escape")
    gallery.until("!document.getElementById('viewer').open")
    after = gallery.viewer()
    assert after["videoSrc"] is None and after["imageSrc"] is None and after["paused"]
    assert not gallery.visible("#viewer")
    gallery.close()


# -- a large archive, made from rows ---------------------------------------------------------
def _large_archive(source: Path, rows: list[CatalogueRow], dest: Path, count: int,
                   months: int) -> None:
    """``count`` archived captures over ``months`` months, as catalogue rows whose files are
    the small archive's (linked, not copied)."""
    dest.mkdir(parents=True)
    (dest / JOE_GAMERTAG).symlink_to(source / JOE_GAMERTAG)
    with Catalogue(dest):
        pass
    start = datetime(2026, 11, 28, tzinfo=UTC)
    step = timedelta(days=30.4 * months / count)
    with sqlite3.connect(dest / CATALOGUE_NAME) as conn:
        conn.executemany(
            "INSERT INTO captures (id, kind, xuid, gamertag, title, recorded, size, sha256, path,"
            " files, status, saved, expires_at, updated, duration) VALUES"
            " (?, ?, '1', ?, ?, ?, ?, ?, ?, ?, 'done', 1, NULL, ?, ?)",
            [(f"{i:08d}-0000-0000-0000-000000000000", r.kind, r.gamertag,
              r.title if i % 97 else "Hostile</script><img src=x onerror=alert(1)>",
              (start - step * i).isoformat(), r.size, r.sha256, r.path, json.dumps(r.files),
              start.isoformat(), r.duration)
             for i, r in ((i, rows[i % len(rows)]) for i in range(count))])


@pytest.fixture(scope="module")
def large_dir(archive_dir: Path, archived: list[CatalogueRow],
              tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("large") / "captures"
    _large_archive(archive_dir, archived, dest, 6000, 60)
    update_gallery(dest)
    return dest


def test_a_large_gallery_loads_a_month_at_a_time_and_a_click_never_opens_the_raw_file(
        browser: Any, large_dir: Path) -> None:
    files = sorted((large_dir / GALLERY_DATA / "m").iterdir())
    assert len(files) >= 60
    url = (large_dir / GALLERY_NAME).as_uri()
    # Click the first card as soon as it exists, before the page has finished loading.
    gallery = Opened(browser, url, wait="commit")
    page = gallery.page
    page.wait_for_selector("a.open")
    page.click("a.open")
    gallery.until("document.getElementById('viewer').open")
    assert page.url == url  # the viewer, not the raw file
    loaded = page.evaluate("Object.keys(XG.d).length")
    assert loaded <= 3  # the newest month or two, not sixty
    page.keyboard.press("Escape")
    cards = page.evaluate("document.querySelectorAll('a.open').length")
    assert cards < 1000  # rendered as they come near, not all 6,000
    # The next capture after the last card on the page: rendered (its month loaded) on demand.
    last = page.evaluate("[...document.querySelectorAll('a.open')].pop().dataset.i")
    page.evaluate(f"document.querySelector('a.open[data-i=\"{last}\"]').click()")
    gallery.until("document.getElementById('viewer').open")
    page.keyboard.press("ArrowRight")
    gallery.until(f"document.querySelector('#viewer .pos').textContent.startsWith('{int(last) + 2} of')")
    assert page.evaluate("document.querySelectorAll('a.open').length") > cards
    page.keyboard.press("Escape")
    # A title that is HTML is shown as text, and runs nothing.
    page.select_option("select.game", "Hostile</script><img src=x onerror=alert(1)>")
    gallery.until("document.querySelectorAll('a.open').length > 0")
    assert page.inner_text("a.open .tag").startswith("Hostile</script><img src=x onerror")
    assert page.evaluate("document.querySelectorAll('main img[src=x]').length") == 0
    # Scrolling on loads older months.
    page.click("button.reset")
    for _ in range(10):
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        time.sleep(0.1)
    gallery.until("Object.keys(XG.d).length > 3")
    gallery.close()


# -- the writer: only what changed ------------------------------------------------------------
def _stamps(dest: Path) -> dict[str, tuple[int, int]]:
    found = {GALLERY_NAME: (dest / GALLERY_NAME).stat()}
    found.update({p.relative_to(dest).as_posix(): p.stat()
                  for p in (dest / GALLERY_DATA).rglob("*") if p.is_file()})
    return {k: (s.st_ino, s.st_mtime_ns) for k, s in found.items()}


def test_a_run_with_nothing_new_rewrites_nothing(archive_dir: Path, archived: list[CatalogueRow],
                                                tmp_path: Path) -> None:
    dest = tmp_path / "captures"
    _large_archive(archive_dir, archived, dest, 600, 12)
    first = update_gallery(dest)
    with Catalogue(dest, readonly=True) as cat:
        months = {f"{r.recorded:%Y-%m}" for r in cat.rows()}
    assert GALLERY_NAME in first.written and first.months == len(months) >= 12
    assert sorted(p.name for p in (dest / GALLERY_DATA / "m").iterdir()) == sorted(
        f"{m}.js" for m in months)
    before = _stamps(dest)
    time.sleep(0.01)
    again = update_gallery(dest)
    assert again.written == [] and again.removed == []
    assert _stamps(dest) == before
    # Told which months changed (as an archive run is), nothing is rewritten either.
    assert update_gallery(dest, months=["2026-11"]).written == []
    # The CLI's run with nothing new (the catalogue as it was): not one file rewritten.
    assert _stamps(dest) == before
    # And what is written is what a fresh render gives.
    fresh = render_gallery(dest)
    assert all((dest / rel).read_text("utf-8") == text for rel, text in fresh.items())


def test_a_new_capture_rewrites_its_month_and_the_manifest_only(
        archive_dir: Path, archived: list[CatalogueRow], tmp_path: Path) -> None:
    dest = tmp_path / "captures"
    _large_archive(archive_dir, archived, dest, 600, 12)
    update_gallery(dest)
    before = _stamps(dest)
    row = archived[0]
    with sqlite3.connect(dest / CATALOGUE_NAME) as conn:
        conn.execute("INSERT INTO captures (id, kind, xuid, gamertag, title, recorded, size, path,"
                     " files, status, saved, updated) VALUES ('new-one', ?, '1', ?, 'A New Game',"
                     " '2026-11-29T10:00:00+00:00', ?, ?, ?, 'done', 1, '2026-11-29T10:00:00+00:00')",
                     (row.kind, row.gamertag, row.size, row.path, json.dumps(row.files)))
    update = update_gallery(dest, months=["2026-11"])
    # Status (the archived count in its heading), the month, the manifest; not the page.
    assert update.written == [f"{GALLERY_DATA}/m/2026-11.js", f"{GALLERY_DATA}/status.js",
                              f"{GALLERY_DATA}/manifest.js"]
    after = _stamps(dest)
    assert {k for k in before if before[k] != after[k]} == set(update.written)
    assert "new-one" in (dest / GALLERY_DATA / "m" / "2026-11.js").read_text("utf-8")
    manifest = (dest / GALLERY_DATA / "manifest.js").read_text("utf-8")
    assert '"A New Game":[1,' in manifest
    # Without being told, the writer finds the same (and nothing else to do).
    assert update_gallery(dest).written == []

    # A month whose captures are all gone loses its file; an emptied archive keeps a page.
    oldest = sorted(p.name for p in (dest / GALLERY_DATA / "m").iterdir())[0]
    with sqlite3.connect(dest / CATALOGUE_NAME) as conn:
        conn.execute("UPDATE captures SET status = 'pending' WHERE substr(recorded, 1, 7) = ?",
                     (oldest[:-3],))
    removed = update_gallery(dest)
    assert removed.removed == [f"{GALLERY_DATA}/m/{oldest}"]
    assert removed.months == len(list((dest / GALLERY_DATA / "m").iterdir()))
    assert not (dest / GALLERY_DATA / "m" / oldest).exists()


def test_the_archive_command_rewrites_what_is_new_and_then_nothing(tmp_path: Path) -> None:
    dest = tmp_path / "captures"
    sandbox = Sandbox(seed=0, rate_limits=False)

    def run(*limit: str) -> dict[str, tuple[int, int]]:
        result = CliRunner().invoke(cli, ["--sandbox", "archive", JOE_GAMERTAG, "--dest",
                                          str(dest), "--only", "screenshots", *limit],
                                    obj=sandbox, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return _stamps(dest)

    first = run("--limit", "3")
    assert any(k.startswith(f"{GALLERY_DATA}/m/") for k in first)
    second = run()
    with Catalogue(dest, readonly=True) as cat:
        done = [r for r in cat.rows() if r.status == "done"]
    assert len(done) > 3
    assert second[GALLERY_NAME] == first[GALLERY_NAME]  # the page itself never changes
    text = "".join((dest / k).read_text("utf-8") for k in second if k.startswith(GALLERY_DATA))
    assert all(r.id in text for r in done)
    time.sleep(0.01)
    assert run() == second  # nothing new: not one file of the gallery rewritten


def test_dates_a_person_edited_are_placed_in_their_month_and_a_bad_one_is_named(
        archive_dir: Path, archived: list[CatalogueRow], tmp_path: Path) -> None:
    from xbox.exceptions import CatalogueError

    dest = tmp_path / "captures"
    _large_archive(archive_dir, archived, dest, 50, 2)
    update_gallery(dest)
    row = archived[0]

    def insert(capture_id: str, recorded: str | None) -> None:
        with sqlite3.connect(dest / CATALOGUE_NAME) as conn:
            conn.execute("INSERT INTO captures (id, kind, xuid, gamertag, title, recorded, size,"
                         " path, files, status, saved, updated) VALUES (?, ?, '1', ?, 'Edited',"
                         " ?, ?, ?, ?, 'done', 1, '2026-11-29T10:00:00+00:00')",
                         (capture_id, row.kind, row.gamertag, recorded, row.size, row.path,
                          json.dumps(row.files)))

    insert("east", "2026-06-01T03:00:00+05:00")  # 31 May in UTC
    insert("naive", "2026-04-30T23:30:00")  # taken as UTC
    insert("undated", None)
    update = update_gallery(dest)
    assert {f"{GALLERY_DATA}/m/2026-05.js", f"{GALLERY_DATA}/m/2026-04.js",
            f"{GALLERY_DATA}/m/unknown.js"} <= set(update.written)
    assert '"east"' in (dest / GALLERY_DATA / "m" / "2026-05.js").read_text("utf-8")
    assert '"naive"' in (dest / GALLERY_DATA / "m" / "2026-04.js").read_text("utf-8")
    assert '"undated"' in (dest / GALLERY_DATA / "m" / "unknown.js").read_text("utf-8")
    assert update_gallery(dest).written == []
    insert("garbage", "last tuesday")
    with pytest.raises(CatalogueError, match=r"garbage.*recorded"):
        update_gallery(dest)


def test_a_page_copied_without_its_data_says_so(browser: Any, archive_dir: Path,
                                               tmp_path: Path) -> None:
    alone = tmp_path / "copied"
    alone.mkdir()
    shutil.copy(archive_dir / GALLERY_NAME, alone / GALLERY_NAME)
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto((alone / GALLERY_NAME).as_uri())
    assert "the .gallery folder beside this page" in page.inner_text("main")
    assert "run xbox archive again" in page.inner_text("main")
    assert not page.is_visible("form.tools") and problems == []
    page.close()
