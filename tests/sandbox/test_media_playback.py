"""A sandbox clip plays in a real browser: Debian's Chromium, headless, driven by Playwright.

The clip is fetched as a client would, through its signed Download URL on the sandbox served
on 127.0.0.1 (with Range requests, as a browser makes them). The page that plays it is served
from the same origin, so that its frames can be read back from a canvas. Checked:

* ``video.duration`` is the metadata's ``durationInSeconds``;
* after each seek, the frame the browser shows is the clip's picture at that time (the clock
  reading that second, the ball where it is then), and not the picture of another time;
* two frames of one second differ where the ball moved, two seconds apart where the clock
  changed;
* the clip's thumbnail is its first frame, smaller.

A screenshot of the page is kept as a test artifact (its path is printed). Skipped, saying
so, only when no Chromium is installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

# Headless Chromium as the gallery's test drives it (skipped, saying so, without one).
from tests.test_gallery import browser  # noqa: F401 (a pytest fixture)
from xbox.sandbox import Sandbox, ServedSandbox

CLIPS = "/gameclipsmetadata.xboxlive.com"
PAGE = ("<!doctype html><html><body style='margin:0;background:#000'>"
        "<video id=v muted preload=auto width=768 height=432></video>"
        "<canvas id=c width=256 height=144></canvas><img id=i></body></html>")
# Seek to ``t``, wait until the frame there is shown, draw it (at w x h) and read it back.
GRAB = """async ([t, w, h]) => {
    const v = document.getElementById('v');
    await new Promise(done => { v.addEventListener('seeked', done, {once: true}); v.currentTime = t; });
    await new Promise(done => { v.requestVideoFrameCallback(() => done()); setTimeout(done, 300); });
    const c = document.getElementById('c').getContext('2d', {willReadFrequently: true});
    c.clearRect(0, 0, 256, 144);
    c.drawImage(v, 0, 0, w, h);
    return Array.from(c.getImageData(0, 0, w, h).data);
}"""
IMAGE = """async ([src, w, h]) => {
    const i = document.getElementById('i');
    await new Promise((done, fail) => { i.onload = done; i.onerror = fail; i.src = src; });
    const c = document.getElementById('c').getContext('2d', {willReadFrequently: true});
    c.clearRect(0, 0, 256, 144);
    c.drawImage(i, 0, 0, w, h);
    return Array.from(c.getImageData(0, 0, w, h).data);
}"""


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[Sandbox, ServedSandbox]]:
    sandbox = Sandbox(seed=0, rate_limits=False, era="2018")
    with sandbox.serve() as s:
        yield sandbox, s


def _rgb(rgba: list[int]) -> list[int]:
    return [v for i, v in enumerate(rgba) if i % 4 != 3]


def _distance(a: list[int] | bytes, b: list[int] | bytes) -> float:
    """Mean absolute difference of two RGB pictures of the same size, per sample."""
    assert len(a) == len(b)
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


def _differing(a: list[int] | bytes, b: list[int] | bytes) -> list[int]:
    """The pixels (indices of their first sample) that differ clearly between two RGB
    pictures."""
    return [i for i in range(0, len(a), 3)
            if abs(a[i] - b[i]) + abs(a[i + 1] - b[i + 1]) + abs(a[i + 2] - b[i + 2]) > 60]


def _changed(a: list[int], b: list[int]) -> int:
    return len(_differing(a, b))


def _distance_at(a: list[int] | bytes, b: list[int] | bytes, pixels: list[int]) -> float:
    """Mean absolute difference of two RGB pictures over ``pixels``, per sample."""
    return sum(abs(a[i + c] - b[i + c]) for i in pixels for c in range(3)) / (3 * len(pixels))


def test_a_clip_plays_for_its_length_with_a_moving_ball_and_a_running_clock(
        browser: Any,  # noqa: F811 (the fixture imported above)
        served: tuple[Sandbox, ServedSandbox], tmp_path: Path) -> None:
    sandbox, server = served
    api = httpx.Client(base_url=sandbox.base_url, transport=sandbox.transport(),
                       headers={"Authorization": sandbox.authorization_for()})
    listed = api.get(f"{CLIPS}/users/me/clips", params={"maxItems": "20"}).json()["gameClips"]
    clip = next(c for c in listed if c["state"] == "Published" and c["durationInSeconds"] > 70)
    other = next(c for c in listed if c["state"] == "Published" and c is not clip)
    seconds = clip["durationInSeconds"]
    capture = sandbox.world.captures_by_id[clip["gameClipId"]]

    def local(url: str) -> str:
        return server.base_url + "/" + url.split("://", 1)[1]

    page = browser.new_page(viewport={"width": 768, "height": 600})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.route(server.base_url + "/player.html",
               lambda route: route.fulfill(body=PAGE, content_type="text/html"))
    page.goto(server.base_url + "/player.html")
    page.evaluate("src => { document.getElementById('v').src = src; }",
                  local(clip["gameClipUris"][0]["uri"]))
    deadline = time.monotonic() + 20
    while page.evaluate("document.getElementById('v').readyState") < 1:
        assert time.monotonic() < deadline, "the clip never loaded"
        time.sleep(0.05)
    duration, width, height, error = page.evaluate(
        "(() => { const v = document.getElementById('v');"
        " return [v.duration, v.videoWidth, v.videoHeight, v.error && v.error.message]; })()")
    assert error is None and (width, height) == (256, 144)
    assert abs(duration - seconds) < 0.05, (duration, seconds)

    scene = capture.scene
    shown: dict[tuple[int, int], list[int]] = {}
    # (second, tenth): the clock and ball at s + k/10; the last second too.
    for s, k in ((2, 0), (2, 3), (2, 6), (3, 3), (61, 3), (seconds - 1, 8)):
        frame = _rgb(page.evaluate(GRAB, [s + k / 10 + 0.05, 256, 144]))
        expected = scene.picture(256, 144, s, k / 10).rgb()
        elsewhen = scene.picture(256, 144, s + 7, (k + 2) % 10 / 10).rgb()
        # The decoded picture is the scene (4:2:0 and BT.709 round trips cost a few levels);
        # where the scene at another time differs (the clock, the ball), it is that time's.
        assert _distance(frame, expected) < 3, (s, k)
        moving = _differing(expected, elsewhen)
        assert len(moving) > 100, (s, k)
        assert _distance_at(frame, expected, moving) < 12 < 40 < _distance_at(frame, elsewhen, moving)
        shown[s, k] = frame
    assert _changed(shown[2, 0], shown[2, 3]) > 200  # the ball moved
    assert _changed(shown[2, 3], shown[2, 6]) > 200
    clock_moved = _changed(shown[2, 3], shown[3, 3])
    assert 50 < clock_moved < 600  # the same ball, one digit of the clock more
    assert _changed(shown[3, 3], shown[61, 3]) > clock_moved  # a minute on: two digits

    page.evaluate(GRAB, [12.55, 256, 144])
    picture = tmp_path / "clip-in-chromium.png"
    page.screenshot(path=str(picture), clip={"x": 0, "y": 0, "width": 768, "height": 432})
    print(f"\nclip as Chromium shows it at 0:12: {picture}")

    # The thumbnail is the first frame, smaller: closer to it than another clip's thumbnail.
    first = _rgb(page.evaluate(GRAB, [0.0, 128, 72]))
    own = _rgb(page.evaluate(IMAGE, [local(clip["thumbnails"][0]["uri"]), 128, 72]))
    others = _rgb(page.evaluate(IMAGE, [local(other["thumbnails"][0]["uri"]), 128, 72]))
    assert _distance(first, own) < 10 < 2 * 10 < _distance(first, others)
    page.close()
    assert problems == []
