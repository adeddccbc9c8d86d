"""The sandbox's media hosts: signed clip/screenshot downloads, thumbnails, Range, expiry."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import httpx
import pytest

from xbox.sandbox import JOE_XUID, Sandbox
from xbox.sandbox.services.media import signed_media_url, verify_signed

CLIPS = "/gameclipsmetadata.xboxlive.com"
SHOTS = "/screenshotsmetadata.xboxlive.com"
MEDIAHUB = "/mediahub.xboxlive.com"

SANDBOX = {"era": "2018"}  # the sb fixture's (conftest.py)


def _client(sb: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                        headers={"Authorization": sb.authorization_for()})


def mapped(url: str) -> str:
    """A real ``https://host/path?query`` URL in the sandbox's mapped layout."""
    assert url.startswith("https://")
    return "/" + url.removeprefix("https://")


@pytest.fixture
def client(sb: Sandbox) -> httpx.Client:
    return _client(sb)


@pytest.fixture
def clip(client: httpx.Client) -> dict[str, Any]:
    clips = client.get(f"{CLIPS}/users/me/clips", params={"maxItems": "10"}).json()["gameClips"]
    return next(c for c in clips if c["state"] == "Published")


def test_full_download_matches_listing(sb: Sandbox, client: httpx.Client,
                                       clip: dict[str, Any]) -> None:
    download = clip["gameClipUris"][0]
    r = client.get(mapped(download["uri"]))
    assert r.status_code == 200
    assert r.headers["content-type"] == "video/mp4"
    assert r.headers["accept-ranges"] == "bytes"
    assert r.headers["etag"] and r.headers["last-modified"].endswith("GMT")
    assert int(r.headers["content-length"]) == len(r.content) == download["fileSize"]
    capture = sb.world.captures_by_id[clip["gameClipId"]]
    assert r.content == capture.media_bytes()
    assert r.content[4:8] == b"ftyp"


def test_head_has_headers_only(client: httpx.Client, clip: dict[str, Any]) -> None:
    download = clip["gameClipUris"][0]
    r = client.head(mapped(download["uri"]))
    assert r.status_code == 200
    assert int(r.headers["content-length"]) == download["fileSize"]
    assert r.content == b""


def test_range_requests(sb: Sandbox, client: httpx.Client, clip: dict[str, Any]) -> None:
    url = mapped(clip["gameClipUris"][0]["uri"])
    data = sb.world.captures_by_id[clip["gameClipId"]].media_bytes()
    total = len(data)
    r = client.get(url, headers={"Range": "bytes=0-99"})
    assert r.status_code == 206
    assert r.headers["content-range"] == f"bytes 0-99/{total}"
    assert r.content == data[:100] and r.headers["content-length"] == "100"
    r = client.get(url, headers={"Range": "bytes=1000-"})
    assert r.status_code == 206
    assert r.headers["content-range"] == f"bytes 1000-{total - 1}/{total}"
    assert r.content == data[1000:]
    r = client.get(url, headers={"Range": "bytes=-10"})
    assert r.status_code == 206 and r.content == data[-10:]
    r = client.get(url, headers={"Range": f"bytes=10-{total + 50}"})
    assert r.status_code == 206 and r.content == data[10:]
    r = client.get(url, headers={"Range": f"bytes={total}-"})
    assert r.status_code == 416
    assert r.headers["content-range"] == f"bytes */{total}"


def test_expired_url_is_403_xml() -> None:
    t = [1_800_000_000.0]
    sb = Sandbox(seed=0, clock=lambda: t[0], era="2018")
    client = _client(sb)
    clips = client.get(f"{CLIPS}/users/me/clips", params={"maxItems": "10"}).json()["gameClips"]
    url = mapped(next(c for c in clips if c["state"] == "Published")["gameClipUris"][0]["uri"])
    t[0] += 3599
    assert client.get(url).status_code == 200
    t[0] += 2  # past the one-hour SAS lifetime
    r = client.get(url)
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/xml"
    assert r.text.startswith('<?xml version="1.0" encoding="utf-8"?><Error>'
                             "<Code>AuthenticationFailed</Code><Message>Server failed to "
                             "authenticate the request.")
    assert re.search(r"\nRequestId:[0-9a-f-]{36}\nTime:\S+Z</Message>", r.text)
    assert r.text.endswith("<AuthenticationErrorDetail>Signature not valid in the specified key "
                           "time frame</AuthenticationErrorDetail></Error>")
    # A fresh listing hands out a fresh, working URL.
    clips = client.get(f"{CLIPS}/users/me/clips", params={"maxItems": "10"}).json()["gameClips"]
    url = mapped(next(c for c in clips if c["state"] == "Published")["gameClipUris"][0]["uri"])
    assert client.get(url).status_code == 200


def test_tampered_signature_is_403(client: httpx.Client, clip: dict[str, Any]) -> None:
    url = mapped(clip["gameClipUris"][0]["uri"])
    sig = re.search(r"sig=([^&]+)", url)
    assert sig is not None
    first = "B" if sig.group(1).startswith("A") else "A"  # always a different signature
    forged = url.replace(sig.group(1), first + sig.group(1)[1:])
    assert forged != url
    assert client.get(forged).status_code == 403
    # Moving the expiry forward breaks the signature too.
    later = re.sub(r"__gda__=(\d+)_", lambda m: f"__gda__={int(m.group(1)) + 9999}_", url)
    assert client.get(later).status_code == 403
    unsigned = url.split("?")[0]
    r = client.get(unsigned)
    assert r.status_code == 403 and b"AuthenticationFailed" in r.content


def test_verify_signed(sb: Sandbox) -> None:
    capture = sb.world.joe.clips[0]
    url, _ = signed_media_url(sb, capture, "gameclipscontent-d3017.xboxlive.com")
    path, query = url.removeprefix("https://gameclipscontent-d3017.xboxlive.com").split("?")
    assert verify_signed(sb, path, query)
    assert not verify_signed(sb, path.replace(capture.id[:8], "00000000"), query)
    assert not verify_signed(sb, path, "")


def test_unknown_blob_is_404_xml(sb: Sandbox, client: httpx.Client) -> None:
    # A properly signed URL for a blob that does not exist (Azure checks the signature first).
    ghost = dataclasses.replace(sb.world.joe.clips[0], id="00000000-0000-4000-8000-000000000000")
    url, _ = signed_media_url(sb, ghost, "gameclipscontent-d3017.xboxlive.com")
    for target in (mapped(url),
                   "/gameclipscontent-t3017.xboxlive.com/xuid-1-public/nothing_Thumbnail_Small.PNG"):
        r = client.get(target)
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/xml"
        assert b"<Code>BlobNotFound</Code>" in r.content


def test_thumbnails(sb: Sandbox, client: httpx.Client, clip: dict[str, Any]) -> None:
    capture = sb.world.captures_by_id[clip["gameClipId"]]
    for thumb in clip["thumbnails"]:
        # Public: no Authorization, no signature.
        anonymous = httpx.Client(base_url=sb.base_url, transport=sb.transport())
        r = anonymous.get(mapped(thumb["uri"]))
        assert r.status_code == 200
        assert r.headers["content-type"] == "image/png"
        assert thumb["fileSize"] == 0  # as recorded: no size reported
        assert r.content == capture.thumbnail_bytes("Large")  # one file serves both
        assert r.content.startswith(b"\x89PNG")
    # The 2014 names, one file per size, are still served.
    base = clip["thumbnails"][0]["uri"].removesuffix("_Thumbnail.PNG")
    anonymous = httpx.Client(base_url=sb.base_url, transport=sb.transport())
    small = anonymous.get(mapped(base + "_Thumbnail_Small.PNG"))
    assert small.status_code == 200 and small.content == capture.thumbnail_bytes("Small")


def test_screenshot_download_and_thumbnail(sb: Sandbox, client: httpx.Client) -> None:
    shot = client.get(f"{SHOTS}/users/me/screenshots", params={"maxItems": "1"}).json()
    item = shot["screenshots"][0]
    download = item["screenshotUris"][0]
    r = client.get(mapped(download["uri"]))
    assert r.status_code == 200
    assert r.headers["content-type"] == "image/png"
    assert len(r.content) == download["fileSize"]
    r = client.get(mapped(item["thumbnails"][1]["uri"]))
    assert r.status_code == 200 and len(r.content) == item["thumbnails"][1]["fileSize"]


def test_mediahub_locators_work(sb: Sandbox, client: httpx.Client) -> None:
    body = client.post(f"{MEDIAHUB}/gameclips/search",
                       json={"max": 5, "query": f"OwnerXuid eq {JOE_XUID}", "skip": 0}).json()
    item = next(v for v in body["values"] if v["contentLocators"])
    for locator in item["contentLocators"]:
        assert ".media.xboxlive.com/" in locator["uri"]
        r = client.get(mapped(locator["uri"]))
        assert r.status_code == 200
        if locator["locatorType"] == "Download":
            assert len(r.content) == locator["fileSize"]
            assert r.headers["content-type"] == "video/mp4"
