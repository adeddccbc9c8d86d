"""The archive's ``index.html`` in a real browser: Debian's Chromium, headless, driven by
Playwright, loading the page from ``file://`` as a person opening it would.

Every archived capture must be on the page with its thumbnail decoded, a click on a clip
must play the local MP4 in a ``<video>``, a click on a screenshot must show it, nothing may
be fetched from the network, and the page must fit a phone's width as well as a desktop's.
Screenshots of both are kept as test artifacts (their paths are printed).

Skipped, saying so, only when no Chromium is installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from xbox.archive import GALLERY_NAME, Catalogue
from xbox.cli import cli
from xbox.sandbox import JOE_GAMERTAG, Sandbox

CHROMIUM_ENV = "XBOX_TEST_CHROMIUM"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


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
    """A small archive of both kinds, made by the command as a user runs it."""
    dest = tmp_path_factory.mktemp("gallery") / "captures"
    sandbox = Sandbox(seed=0, rate_limits=False)
    for kind in ("clips", "screenshots"):
        result = CliRunner().invoke(cli, ["--sandbox", "archive", JOE_GAMERTAG, "--dest", str(dest),
                                          "--only", kind, "--limit", "4"], obj=sandbox,
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
    return dest


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


def _open(browser: Any, page_path: Path, width: int, height: int) -> tuple[Any, list[str], list[str]]:
    page = browser.new_page(viewport={"width": width, "height": height})
    remote: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: None if r.url.startswith("file:") else remote.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(page_path.as_uri())
    page.wait_for_load_state("load")
    return page, remote, problems


def _wait_until(page: Any, expression: str, timeout: float = 15) -> None:
    """Poll ``expression`` in the page (page.wait_for_function evaluates strings with eval,
    which the gallery's Content-Security-Policy rightly refuses)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.05)


def test_the_gallery_shows_every_capture_and_plays_them(browser: Any, archive_dir: Path,
                                                       tmp_path: Path) -> None:
    page_path = archive_dir / GALLERY_NAME
    with Catalogue(archive_dir, readonly=True) as cat:
        archived = {r.id: r for r in cat.rows() if r.status == "done"}
    assert len(archived) == 8 and {r.kind for r in archived.values()} == {"clip", "screenshot"}
    page, remote, problems = _open(browser, page_path, 1280, 900)

    shown = page.eval_on_selector_all("figure.capture", "els => els.map(e => e.dataset.id)")
    assert sorted(shown) == sorted(archived)  # every archived capture, once
    images = page.eval_on_selector_all(
        "figure.capture img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])")
    assert len(images) == 8 and all(done and w > 0 and h > 0 for done, w, h in images), images
    headings = page.eval_on_selector_all("section.game h2", "els => els.map(e => e.textContent)")
    assert set(headings) == {r.title for r in archived.values()}  # grouped by game
    days = page.eval_on_selector_all("section.game h3", "els => els.map(e => e.textContent)")
    assert days and all(len(day) == 10 for day in days)  # ...and by day
    durations = page.eval_on_selector_all("figure.capture.clip .badge:not(.kind)",
                                          "els => els.map(e => e.textContent)")
    assert len(durations) == 4 and all(":" in d for d in durations)
    sidecars = page.eval_on_selector_all("a.sidecar", "els => els.map(e => e.href)")
    assert len(sidecars) == 8 and all(s.startswith("file:") and s.endswith(".json") for s in sidecars)
    banner = page.inner_text("#status")
    assert "8 archived" in banner

    page.click("figure.capture.clip a.open")
    _wait_until(page, "document.querySelector('#viewer video').readyState >= 1")
    video = page.evaluate("(() => { const v = document.querySelector('#viewer video');"
                          " return [v.duration, v.videoWidth, v.error, v.currentSrc]; })()")
    assert video[0] > 0 and video[1] > 0 and video[2] is None and video[3].endswith(".mp4"), video
    desktop = tmp_path / "gallery-desktop.png"
    page.screenshot(path=str(desktop))
    page.click("#viewer button.close")

    page.click("figure.capture.screenshot a.open")
    _wait_until(page, "document.querySelector('#viewer img').naturalWidth > 0")
    assert page.evaluate("document.querySelector('#viewer img').src").endswith(".png")
    page.click("#viewer button.close")
    page.close()

    phone_page, phone_remote, phone_problems = _open(browser, page_path, 390, 844)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    columns = phone_page.evaluate(
        "getComputedStyle(document.querySelector('.grid')).gridTemplateColumns.split(' ').length")
    assert columns == 2
    phone = tmp_path / "gallery-phone.png"
    phone_page.screenshot(path=str(phone), full_page=True)
    phone_page.close()

    assert remote == [] and phone_remote == []  # nothing fetched from anywhere
    assert problems == [] and phone_problems == []  # no script error, no CSP refusal
    assert desktop.stat().st_size > 0 and phone.stat().st_size > 0
    print(f"\ngallery screenshots: {desktop} {phone}")
