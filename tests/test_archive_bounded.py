"""The archiver under a full disk, hostile names and records, a hand-edited catalogue and a
second run at once (issue 21, the disk half).

What failed before, one test each: a kept ``.part`` after a full disk made every later run
fail; a title of 100 emoji (400 bytes) stopped every run at the same capture; any disk error
ended the whole run; an unreadable record stored cut at 20,000 characters broke ``status``
and the gallery for good; a catalogue row path of ``../victim.txt`` made ``verify --repair``
write and delete outside ``--dest``; a hand-edited value gave a traceback; two runs at once
downloaded captures twice and failed on each other's ``.part`` files; ``verify`` said "all
intact" after a failed repair and could not see a changed thumbnail or sidecar.

The full disk is a real one where this machine allows a tmpfs mount (root, as in CI); a
disk whose free space and writes the test controls covers the same promises everywhere.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

import httpx
import pytest
from click.testing import CliRunner, Result

import xbox
import xbox.archive.folder
import xbox.download.disk
from tests.auth_helpers import xbox_app_sign_in
from xbox.archive import (
    CATALOGUE_NAME,
    GALLERY_DATA,
    Archive,
    Catalogue,
    status,
    verify,
    write_gallery,
)
from xbox.archive.folder import DISK_RESERVE, LOCK_NAME
from xbox.archive.planner import (
    NAME_MAX,
    NAME_RESERVE,
    companion_paths,
    fit_name,
    plan_captures,
    relative_path,
    render_path,
    sanitize_component,
)
from xbox.archive.verify import Problem, set_aside
from xbox.cli import cli
from xbox.exceptions import ArchiveBusy, CatalogueError
from xbox.models import Clip
from xbox.sandbox import JOE_XUID, Sandbox
from xbox.sandbox.world import Capture as WorldCapture
from xbox.sandbox.world import Title, World

EMOJI_TITLE = "😀" * 100  # 100 characters, 400 bytes of UTF-8


@pytest.fixture
def sb() -> Sandbox:
    return Sandbox(seed=0, rate_limits=False)


@pytest.fixture
def joe(sb: Sandbox) -> Iterator[xbox.Client]:
    with xbox.Client(base_url=sb.base_url, transport=sb.transport(), token_store=None,
                     sleep=lambda s: None) as client:
        xbox_app_sign_in(client, sb)
        yield client


def _first_planned(joe: xbox.Client, dest: Path, count: int = 1) -> list[str]:
    """The ids a run into ``dest`` fetches first (soonest deletion first)."""
    with Archive(dest) as archive:
        return [i.id for i in archive.archive_user(joe, "JoeAlcorn", dry_run=True).plan.fetch[:count]]


def _world(sb: Sandbox, capture_id: str) -> WorldCapture:
    return sb.world.captures_by_id[capture_id.lower()]


def _retitle(sb: Sandbox, capture_id: str, name: str) -> None:
    capture = _world(sb, capture_id)
    capture.title = Title(capture.title.title_id, name, capture.title.scid)
    sb.world.changed()


def _edit_catalogue(dest: Path, sql: str, *args: Any) -> None:
    with sqlite3.connect(dest / CATALOGUE_NAME) as conn:
        conn.execute(sql, args)


def _cli(sb: Sandbox, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--sandbox", *args], obj=sb, catch_exceptions=False)


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


# -- names, capped in bytes ---------------------------------------------------------------------

def _clip(capture_id: str, title: str) -> Clip:
    return Clip.from_wire({
        "gameClipId": capture_id, "xuid": JOE_XUID, "state": "Published",
        "dateRecorded": "2026-10-30T12:00:00Z", "savedByUser": False, "titleName": title,
        "gameClipUris": [{"uri": "https://x/y.MP4", "fileSize": 10, "uriType": "Download"}]})


@pytest.mark.parametrize("name_max", [NAME_MAX, 143])  # 143: eCryptfs
def test_names_are_capped_in_bytes_keep_their_extension_and_stay_unique(name_max: int) -> None:
    # Two long multibyte ids that share their first 300 bytes, and a title of 100 emoji.
    twins = [_clip("ü" * 150 + end, EMOJI_TITLE) for end in ("a", "b")]
    template = "{gamertag}/{title}/{title} {date:%Y-%m-%d}_{id}.{ext}"
    plan = plan_captures(twins, gamertag="Joe", known={}, present=lambda p, s: False,
                         template=template, name_max=name_max)
    paths = [item.path for item in plan.fetch]
    assert len(set(paths)) == 2, paths  # still two files
    for path in paths:
        assert all(len(part.encode()) <= name_max for part in path.parts), path
        assert path.suffix == ".mp4" and path.parts[1].startswith("😀")
        # Every name made from it (thumbnails, sidecar, .part, .damaged) fits too.
        for companion in (path, *companion_paths(path).all()):
            for added in ("", ".part", ".damaged"):
                assert len((companion.name + added).encode()) <= name_max, companion
    # The default template: the id is in the file name.
    path = render_path("{gamertag}/{title}/{date:%Y-%m-%d}_{time:%H%M%S}_{id}.{ext}", twins[0],
                       "Joe", name_max=name_max)
    assert len(path.name.encode()) <= name_max - NAME_RESERVE and path.name.endswith(".mp4")
    # Short names are left alone; a cut never splits a character.
    assert fit_name("clip.mp4", 20) == "clip.mp4"
    assert fit_name("😀" * 10 + ".mp4", 21).encode().decode() .endswith(".mp4")
    assert sanitize_component("\x9b31mTitle") == "_31mTitle"  # a C1 control, as C0 ones
    assert sanitize_component("bad \ud800 surrogate") == "bad _ surrogate"


def test_a_title_of_100_emoji_is_archived_under_a_name_the_disk_takes(
        sb: Sandbox, joe: xbox.Client, tmp_path: Path) -> None:
    dest = tmp_path / "archive"
    first = _first_planned(joe, dest)[0]
    _retitle(sb, first, EMOJI_TITLE)
    with Archive(dest) as archive:
        report = archive.archive_user(joe, "JoeAlcorn", limit=2,
                                      template="{gamertag}/{title}/{title} {id}.{ext}")
    assert report.ok and report.failed == {}, report.failed
    item = next(i for i in report.downloaded if i.id == first)
    media = dest / item.path
    assert media.read_bytes() == _world(sb, first).media_bytes()
    assert len(media.name.encode()) <= 255 and media.parent.name.startswith("😀")
    assert verify(dest).ok


def test_xbox_download_fits_a_long_title_in_the_name_too(
        sb: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    clip = next(c for c in sb.world.joe.clips if c.state == "Published")
    _retitle(sb, clip.id, EMOJI_TITLE)
    result = _cli(sb, "--json", "download", clip.id, "-o", "{title} {title}_{id}.{ext}")
    assert result.exit_code == 0, result.output
    path = Path(json.loads(result.stdout)[0]["path"])
    assert path.suffix == ".mp4" and len(path.name.encode()) <= 255 - len(".part")
    assert (tmp_path / path).read_bytes() == clip.media_bytes()


def test_a_name_the_filesystem_refuses_fails_that_capture_only(
        sb: Sandbox, joe: xbox.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A filesystem that says it takes longer names than it does (or one whose limit
    # cannot be read): the name is refused when the file is made.
    dest = tmp_path / "archive"
    first = _first_planned(joe, dest)[0]
    _retitle(sb, first, EMOJI_TITLE * 3)
    monkeypatch.setattr(xbox.archive.folder, "name_max", lambda folder: 4096, raising=False)
    monkeypatch.setattr(xbox.archive.planner, "_MAX_COMPONENT", 1000)
    with Archive(dest) as archive:
        report = archive.archive_user(joe, "JoeAlcorn", limit=3,
                                      template="{gamertag}/{title} {id}.{ext}")
        row = archive.catalogue.get(first)
    assert list(report.failed) == [first] and "too long" in report.failed[first]
    assert len(report.downloaded) == 2 and report.stopped is None
    assert row is not None and row.status == "failed" and "too long" in (row.error or "")


def test_a_record_dated_at_the_end_of_the_calendar_does_not_stop_the_run(
        sb: Sandbox, joe: xbox.Client, tmp_path: Path) -> None:
    dest = tmp_path / "archive"
    first = _first_planned(joe, dest)[0]
    capture = _world(sb, first)
    capture.recorded = capture.recorded.replace(year=9999, month=12, day=31)
    sb.world.changed()
    with Archive(dest) as archive:
        report = archive.archive_user(joe, "JoeAlcorn", limit=3)
    assert report.ok and len(report.downloaded) == 3
    assert status(dest).total > 3


def _lone_surrogates(sb: Sandbox, first_id: str) -> httpx.MockTransport:
    """The sandbox in-process, with every clip title starting with a lone surrogate
    (``"\\ud800"`` in the JSON: valid JSON, text no UTF-8 can hold), and the id of
    ``first_id`` made one too."""
    def handle(request: httpx.Request) -> httpx.Response:
        response = sb.handle(request)
        if "/gameclipsmetadata.xboxlive.com/" not in request.url.path:
            return response
        text = response.read().decode()
        for sep in ('": "', '":"'):
            text = text.replace(f'"titleName{sep}', f'"titleName{sep}\\ud800')
        text = text.replace(f'"{first_id}"', '"\\udfff-not-an-id"')
        headers = {k: v for k, v in response.headers.items()
                   if k.lower() not in ("content-length", "content-encoding")}
        return httpx.Response(response.status_code, headers=headers, content=text.encode())

    return httpx.MockTransport(handle)


def test_text_that_utf8_cannot_hold_never_stops_the_run(sb: Sandbox, tmp_path: Path) -> None:
    dest = tmp_path / "archive"
    with xbox.Client(base_url=sb.base_url, transport=sb.transport(), token_store=None,
                     sleep=lambda s: None) as plain:
        xbox_app_sign_in(plain, sb)
        first = _first_planned(plain, tmp_path / "plan", 1)[0]
    with xbox.Client(base_url=sb.base_url, transport=_lone_surrogates(sb, first),
                     token_store=None, sleep=lambda s: None) as client:
        xbox_app_sign_in(client, sb)
        with Archive(dest) as archive:
            report = archive.archive_user(client, "JoeAlcorn", limit=3, kinds=("clip",))
    assert report.failed == {} and len(report.downloaded) == 3
    assert [u.error for u in report.unreadable] == ["the capture's id is not valid text"]
    rows = {row.id: row for row in Catalogue(dest, readonly=True).rows()}
    from_metadata = [i for i in report.downloaded if "metadata" in report.sources[i.id]]
    assert from_metadata and all((rows[i.id].title or "").startswith("\ufffd")
                                 for i in from_metadata)
    item = from_metadata[0]
    assert item.path.parent.name.startswith("_")  # no surrogate reaches a file name
    sidecar = json.loads((dest / item.companions.sidecar).read_text("utf-8"))
    assert sidecar["titleName"].startswith("\ud800")  # the sidecar keeps it exactly
    assert verify(dest).ok and write_gallery(dest).is_file()


# -- one capture's disk error never stops the run -----------------------------------------------

def test_a_disk_error_writing_one_capture_fails_that_capture_only(
        sb: Sandbox, joe: xbox.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "archive"
    first, second = _first_planned(joe, dest, 2)
    opened = xbox.download.disk.open_part

    def failing_open(part: Path, *, append: bool) -> int:
        if first in part.name:  # an I/O error on this capture's file only
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(part))
        return opened(part, append=append)

    utime = os.utime

    def failing_utime(path: Any, *args: Any, **kwargs: Any) -> None:
        if second in str(path):  # and on the other's file times
            raise OSError(errno.EPERM, os.strerror(errno.EPERM), str(path))
        utime(path, *args, **kwargs)

    monkeypatch.setattr(xbox.download.disk, "open_part", failing_open)
    monkeypatch.setattr(os, "utime", failing_utime)
    with Archive(dest) as archive:
        report = archive.archive_user(joe, "JoeAlcorn", limit=5, concurrency=2)
        rows = {first: archive.catalogue.get(first), second: archive.catalogue.get(second)}
    assert sorted(report.failed) == sorted([first, second]), report.failed
    assert "Input/output error" in report.failed[first]
    assert len(report.downloaded) == 3 and report.stopped is None and not report.ok
    assert all(r is not None and r.status == "failed" for r in rows.values())
    monkeypatch.undo()
    with Archive(dest) as archive:  # retried next run
        again = archive.archive_user(joe, "JoeAlcorn", limit=5)
    assert again.ok and {first, second} <= {i.id for i in again.downloaded}


class SmallDisk:
    """A disk whose free space the test sets, and whose writes fail with ENOSPC once it is
    used up: the full-disk promises on a machine where no filesystem can be mounted."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, free: int) -> None:
        self.free = free
        self.lock = threading.Lock()
        write_all = xbox.download.disk.write_all

        def write(fd: int, buffers: Any) -> None:
            data = b"".join(bytes(b) for b in buffers)
            with self.lock:
                room = max(0, min(len(data), self.free))
                self.free -= room
            if room:
                write_all(fd, [data[:room]])
            if room < len(data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(xbox.download.disk, "write_all", write)
        monkeypatch.setattr(xbox.archive.folder, "free_space", lambda folder: self.free,
                            raising=False)


def test_a_full_disk_stops_the_run_cleanly_and_never_blocks_the_next(
        sb: Sandbox, joe: xbox.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dest = tmp_path / "archive"
    planned = _first_planned(joe, dest, 6)
    with Archive(tmp_path / "measure") as measure:  # what each capture writes, thumbnails too
        measure.archive_user(joe, "JoeAlcorn", limit=3, concurrency=1)
        rows = {r.id: r for r in measure.catalogue.rows()}
    written = [(rows[i].size or 0) + (rows[i].thumbnail_bytes or 0) for i in planned[:3]]
    # Room for the first two captures, and the third's media but not its thumbnails (whose
    # size Xbox Live does not state): writing them finds the disk full. (No reserve here,
    # so that the write itself fails, as it does when something else fills the disk.)
    monkeypatch.setattr(xbox.archive.folder, "DISK_RESERVE", 0)
    disk = SmallDisk(monkeypatch, written[0] + written[1] + (rows[planned[2]].size or 0) + 1000)
    with Archive(dest) as archive:
        report = archive.archive_user(joe, "JoeAlcorn", limit=6, concurrency=1)
        rows = {row.id: row for row in archive.catalogue.rows()}
    assert [i.id for i in report.downloaded] == planned[:2]
    assert list(report.failed) == [planned[2]] and "disk is full" in report.failed[planned[2]]
    assert report.stopped and "disk is full" in report.stopped and not report.ok
    assert [i.id for i in report.left] == planned[3:]  # nothing more was tried
    assert rows[planned[2]].status == "failed" and rows[planned[3]].status == "pending"
    assert list(dest.rglob("*.part")) == []  # the partial file gave its room back

    # The next run, with the disk still full: stops at once, cleanly, nothing fetched.
    with Archive(dest) as archive:
        still = archive.archive_user(joe, "JoeAlcorn", limit=6, concurrency=1)
    assert still.downloaded == [] and still.stopped and list(still.failed) == [planned[2]]
    assert status(dest).total > 6  # the catalogue reads

    # With the reserve: a disk with less than it free starts nothing at all.
    monkeypatch.setattr(xbox.archive.folder, "DISK_RESERVE", DISK_RESERVE)
    disk.free = DISK_RESERVE - 1
    requests = len(sb.requests)
    with Archive(dest) as archive:
        reserved = archive.archive_user(joe, "JoeAlcorn", limit=6)
    assert reserved.downloaded == [] and reserved.stopped and len(reserved.failed) == 1
    assert len(reserved.left) == len(reserved.plan.fetch) - 1
    assert not any("content" in str(r.url) for r in sb.requests[requests:])  # no media fetched

    # Room made: the next run finishes the job.
    disk.free = 10**12
    with Archive(dest) as archive:
        done = archive.archive_user(joe, "JoeAlcorn", limit=6)
    assert done.ok and set(planned[2:]) <= {i.id for i in done.downloaded}
    assert verify(dest).ok


def test_a_part_that_fills_the_disk_is_dropped_so_the_next_run_goes_on(
        sb: Sandbox, joe: xbox.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An endless thumbnail (Xbox Live states no size for them) filled the disk; its .part
    # was kept for a resume, and with it the disk stayed full for every later run.
    dest = tmp_path / "archive"
    with Archive(dest) as archive:
        archive.archive_user(joe, "JoeAlcorn", limit=0)  # the catalogue only
        pending = archive.archive_user(joe, "JoeAlcorn", dry_run=True).plan.fetch[0]
    thumb = dest / pending.companions.thumbnails["Large"]
    part = thumb.with_name(thumb.name + ".part")
    part.parent.mkdir(parents=True, exist_ok=True)
    part.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(2_000_000))
    monkeypatch.setattr(xbox.archive.folder, "free_space",
                        lambda folder: 0 if part.exists() else 10**12, raising=False)
    with Archive(dest) as archive:
        report = archive.archive_user(joe, "JoeAlcorn", limit=2)
    assert part in report.reconciled.removed_parts and not part.exists()
    assert report.ok and len(report.downloaded) == 2
    assert thumb.read_bytes() == _world(sb, pending.id).thumbnail_bytes("Large")


# -- a real full disk: a small tmpfs (needs the right to mount, as root in CI) -------------------

@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MiB tmpfs, unmounted after; skipped where this process may not mount one (the
    promises it holds are held above on a disk the test simulates)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if sys.platform != "linux" or shutil.which("mount") is None:
        pytest.skip("tmpfs needs Linux and mount(8)")
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)],
                          capture_output=True, text=True, timeout=30)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, timeout=30)


def _fill(path: Path, leave: int) -> None:
    """Fill the disk under ``path`` until ``leave`` bytes are free."""
    with path.open("wb") as fh:
        while (free := shutil.disk_usage(path.parent).free) > leave:
            fh.write(bytes(min(1 << 20, free - leave)))
            fh.flush()


def test_on_a_real_full_disk_every_run_ends_cleanly_and_a_kept_part_never_blocks(
        sb: Sandbox, joe: xbox.Client, small_disk: Path) -> None:
    dest = small_disk / "archive"
    filler = small_disk / "filler"
    # A .part left by a full disk (an endless thumbnail), for a pending capture.
    with Archive(dest) as archive:
        archive.archive_user(joe, "JoeAlcorn", limit=0)
        pending = archive.archive_user(joe, "JoeAlcorn", dry_run=True).plan.fetch[0]
    thumb = dest / pending.companions.thumbnails["Large"]
    part = thumb.with_name(thumb.name + ".part")
    part.parent.mkdir(parents=True, exist_ok=True)
    _fill(part, 0)  # the disk is now full
    result = _cli(sb, "archive", "JoeAlcorn", "--dest", str(dest), "--limit", "3")
    assert result.exit_code == 0, result.output
    assert not part.exists() and "3 archived" in result.stdout

    # A disk with room for a few captures: the run stops when it is full, cleanly (one line
    # each, no traceback), every failure recorded; the next one too; then, with room, all.
    _fill(filler, DISK_RESERVE + 1_500_000)
    for _ in range(2):
        result = _cli(sb, "archive", "JoeAlcorn", "--dest", str(dest), "--limit", "20")
        assert result.exit_code == 1, result.output
        assert "stopped early" in result.stderr and "disk is full" in result.stderr
        assert "Traceback" not in result.output
        assert list(dest.rglob("*.part")) == []
        assert _cli(sb, "archive", "status", "--dest", str(dest)).exit_code == 0
    filler.unlink()
    result = _cli(sb, "archive", "JoeAlcorn", "--dest", str(dest), "--limit", "20")
    assert result.exit_code == 0, result.output
    assert _cli(sb, "archive", "verify", "--dest", str(dest)).exit_code == 0


def _unstated_size(sb: Sandbox, capture_id: str) -> httpx.MockTransport:
    """The sandbox in-process, with ``capture_id`` listed without a size (fileSize 0), as
    Xbox Live lists thumbnails and some media."""
    def handle(request: httpx.Request) -> httpx.Response:
        response = sb.handle(request)
        if "/gameclipsmetadata.xboxlive.com/" not in request.url.path:
            return response
        body = json.loads(response.read())
        for clip in body.get("gameClips") or []:
            if clip.get("gameClipId") == capture_id:
                for uri in clip.get("gameClipUris") or []:
                    uri["fileSize"] = 0
        headers = {k: v for k, v in response.headers.items()
                   if k.lower() not in ("content-length", "content-encoding")}
        return httpx.Response(response.status_code, headers=headers, json=body)

    return httpx.MockTransport(handle)


def test_on_a_real_disk_a_capture_larger_than_the_room_fails_alone(
        sb: Sandbox, joe: xbox.Client, small_disk: Path) -> None:
    # A clip of unstated size larger than the room there is: the disk runs full while it
    # is written. Its partial file goes, the failure is recorded, and the others go on.
    dest = small_disk / "archive"
    big = _first_planned(joe, dest)[0]
    _world(sb, big).size = 16_000_000
    sb.world.changed()
    _fill(small_disk / "filler", DISK_RESERVE + 4_000_000)
    with xbox.Client(base_url=sb.base_url, transport=_unstated_size(sb, big), token_store=None,
                     sleep=lambda s: None) as client:
        xbox_app_sign_in(client, sb)
        with Archive(dest) as archive:
            report = archive.archive_user(client, "JoeAlcorn", limit=4, concurrency=1)
    assert list(report.failed) == [big] and "disk ran full" in report.failed[big]
    assert len(report.downloaded) == 3 and report.stopped is None
    assert list(dest.rglob("*.part")) == []
    row = Catalogue(dest, readonly=True).get(big)
    assert row is not None and row.status == "failed"
    assert shutil.disk_usage(small_disk).free > DISK_RESERVE


# -- records that cannot be read are stored whole ----------------------------------------------

def _with_a_huge_unreadable_clip(sb: Sandbox, record: dict[str, Any]) -> httpx.MockTransport:
    """The sandbox in-process, with ``record`` added to the first page of Joe's clip list."""
    def handle(request: httpx.Request) -> httpx.Response:
        response = sb.handle(request)
        if ("/gameclipsmetadata.xboxlive.com/" in request.url.path and request.method == "GET"
                and "continuationToken" not in request.url.params):
            body = json.loads(response.read())
            if isinstance(body, dict) and "gameClips" in body:
                body["gameClips"].append(record)
                headers = {k: v for k, v in response.headers.items()
                           if k.lower() not in ("content-length", "content-encoding")}
                return httpx.Response(response.status_code, headers=headers, json=body)
        return response

    return httpx.MockTransport(handle)


def test_an_unreadable_record_is_stored_whole_and_status_and_the_gallery_still_work(
        sb: Sandbox, tmp_path: Path) -> None:
    record = {"state": "Published", "titleName": "Halo", "caption": "x" * 30_000}
    dest = tmp_path / "archive"
    with xbox.Client(base_url=sb.base_url, transport=_with_a_huge_unreadable_clip(sb, record),
                     token_store=None, sleep=lambda s: None) as client:
        xbox_app_sign_in(client, sb)
        with Archive(dest) as archive, pytest.warns(xbox.exceptions.MalformedRecord):
            report = archive.archive_user(client, "JoeAlcorn", limit=2)
    assert len(report.downloaded) == 2 and len(report.unreadable) == 1
    summary = status(dest)
    assert [u.body for u in summary.unreadable] == [record]  # whole, as the service sent it
    assert verify(dest).ok
    write_gallery(dest)  # the banner's lines are in the gallery's status file
    banner = (dest / GALLERY_DATA / "status.js").read_text("utf-8")
    assert "1 records Xbox Live sent could not be read" in banner
    shown = _cli(sb, "archive", "status", "--dest", str(dest))
    assert shown.exit_code == 0 and "gameClipId" in shown.stdout


def test_a_body_cut_short_by_an_earlier_release_reads_back_as_text(tmp_path: Path) -> None:
    dest = tmp_path / "archive"
    with Catalogue(dest) as cat:
        cat.record_unreadable(JOE_XUID, [])
    cut = json.dumps({"caption": "x" * 30_000})[:20_000]
    _edit_catalogue(dest, "INSERT INTO unreadable VALUES ('k', ?, 'clip', 'metadata', 'bad', ?, "
                          "'2026-11-01T00:00:00+00:00')", JOE_XUID, cut)
    assert status(dest).unreadable[0].body == cut
    write_gallery(dest)
    # And a body too large to keep whole is kept as JSON that says so.
    huge = {"caption": "y" * 2_000_000}
    with Catalogue(dest) as cat:
        cat.record_unreadable(JOE_XUID, [xbox.archive.Unreadable("clip", "metadata", "bad", huge)])
    body = status(dest).unreadable[0].body
    assert isinstance(body, dict) and body["truncated"] is True and body["chars"] > 2_000_000


# -- the catalogue is input too -----------------------------------------------------------------

@pytest.fixture
def archived(sb: Sandbox, joe: xbox.Client, tmp_path: Path) -> Path:
    """An archive of Joe's first two captures."""
    dest = tmp_path / "archive"
    with Archive(dest) as archive:
        assert archive.archive_user(joe, "JoeAlcorn", limit=2).ok
    return dest


@pytest.mark.parametrize("hostile", ["../victim.txt", "JoeAlcorn/../../victim.txt",
                                     "{outside}/victim.txt", "JoeAlcorn\\..\\..\\victim.txt",
                                     "C:/victim.txt", ""])
def test_a_row_path_outside_the_archive_never_touches_a_file_outside(
        sb: Sandbox, archived: Path, hostile: str) -> None:
    outside = archived.parent
    victim = outside / "victim.txt"
    victim.write_bytes(b"not yours")
    row_id = Catalogue(archived, readonly=True).rows()[0].id
    _edit_catalogue(archived, "UPDATE captures SET path = ? WHERE id = ?",
                    hostile.format(outside=outside), row_id)
    before = _tree(outside)
    for args in (["archive", "verify", "--dest", str(archived), "--repair"],
                 ["archive", "verify", "--dest", str(archived)],
                 ["archive", "status", "--dest", str(archived)],
                 ["archive", "JoeAlcorn", "--dest", str(archived)]):
        result = _cli(sb, *args)
        assert result.exit_code == 1, result.output
        assert "value no run wrote" in result.stderr and f"capture {row_id}, path" in result.stderr
        assert len(result.stderr.strip().splitlines()) <= 2, result.stderr  # (+ gallery line)
    after = _tree(outside)

    def others(tree: dict[str, bytes]) -> dict[str, bytes]:  # (xbox-home: the CLI's sign-in)
        return {k: v for k, v in tree.items() if not k.startswith(("archive/", "xbox-home/"))}

    assert others(after) == others(before)
    assert victim.read_bytes() == b"not yours"
    # The library refuses such paths at every use, not only when a row is read.
    with pytest.raises(CatalogueError):
        verify(archived)
    with pytest.raises(ValueError):
        set_aside(archived, [Problem(row_id, JOE_XUID, "../victim.txt", "damaged", "x")])
    assert victim.read_bytes() == b"not yours"
    with pytest.raises(ValueError):
        relative_path("../victim.txt")
    assert relative_path("JoeAlcorn/Halo/x.mp4") == PurePosixPath("JoeAlcorn/Halo/x.mp4")


@pytest.mark.parametrize(("column", "value"), [
    ("status", "archived"), ("kind", "video"), ("recorded", "yesterday"), ("size", "big"),
    ("size", -1), ("files", "not json"), ("files", '["../x.png"]'), ("sha256", "xyz"),
    ("saved", 2), ("duration", "long"), ("expires_at", "soon"), ("id", ""), ("sources", "{}"),
    ("listed", 12.5),
])
def test_a_hand_edited_value_is_a_clear_error_never_a_traceback(
        sb: Sandbox, archived: Path, column: str, value: object) -> None:
    row_id = Catalogue(archived, readonly=True).rows()[0].id
    _edit_catalogue(archived, f"UPDATE captures SET {column} = ? WHERE id = ?", value, row_id)
    for args in (["archive", "status", "--dest", str(archived)],
                 ["archive", "verify", "--dest", str(archived)],
                 ["archive", "JoeAlcorn", "--dest", str(archived), "--limit", "1"]):
        result = CliRunner().invoke(cli, ["--sandbox", *args], obj=sb)
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit), result.exception
        assert result.exit_code == 1, result.output
        assert f"{column} = " in result.stderr and "value no run wrote" in result.stderr
        assert str(archived / CATALOGUE_NAME) in result.stderr


# -- verify: every file, and what a failed repair left ------------------------------------------

def test_verify_sees_a_thumbnail_or_sidecar_changed_in_place(archived: Path) -> None:
    row = Catalogue(archived, readonly=True).rows()[0]
    thumb = archived / next(f for f in row.files if f.endswith(".png"))
    data = bytearray(thumb.read_bytes())
    data[-20] ^= 0xFF  # still a PNG by its signature, same size
    thumb.write_bytes(bytes(data))
    sidecar = archived / next(f for f in row.files if f.endswith(".json"))
    sidecar.write_text(json.dumps({**json.loads(sidecar.read_text("utf-8")), "views": 0}),
                       encoding="utf-8")
    report = verify(archived)
    assert sorted(p.path for p in report.problems) == sorted(
        [thumb.relative_to(archived).as_posix(), sidecar.relative_to(archived).as_posix()])
    assert all(p.problem == "damaged" and "sha256" in p.reason for p in report.problems)


def test_after_a_failed_repair_verify_never_says_all_intact(sb: Sandbox, archived: Path) -> None:
    row = Catalogue(archived, readonly=True).rows()[0]
    media = archived / (row.path or "")
    data = bytearray(media.read_bytes())
    data[-1] ^= 0xFF
    media.write_bytes(bytes(data))
    sb.faults.append(xbox.sandbox.Fault(status=404, path_contains=row.id, times=100))
    repair = _cli(sb, "archive", "verify", "--dest", str(archived), "--repair")
    assert repair.exit_code == 1
    for _ in range(2):  # and every plain verify after it
        again = _cli(sb, "archive", "verify", "--dest", str(archived))
        assert again.exit_code == 1, again.output
        assert "all intact" not in again.stdout and row.id in again.stdout
        assert "no longer archived" in again.stdout
    sb.faults.clear()
    fixed = _cli(sb, "archive", "verify", "--dest", str(archived), "--repair")
    assert fixed.exit_code == 0, fixed.output
    assert "all intact" in _cli(sb, "archive", "verify", "--dest", str(archived)).stdout


# -- one writer per folder ----------------------------------------------------------------------

def test_a_second_run_waits_for_the_first_then_says_clearly_that_it_is_busy(
        sb: Sandbox, joe: xbox.Client, tmp_path: Path) -> None:
    dest = tmp_path / "archive"
    with Archive(dest) as first:
        assert first.archive_user(joe, "JoeAlcorn", limit=1).ok  # and holds the folder
        told: list[str] = []
        with Archive(dest, wait=0.3) as second:
            started = time.monotonic()
            with pytest.raises(ArchiveBusy, match="another run"):
                second.lock(on_wait=told.append)
            assert time.monotonic() - started >= 0.3
        assert len(told) == 1 and "waiting up to 0.3 s" in told[0]
        with Archive(dest, wait=0) as third, pytest.raises(ArchiveBusy):
            third.archive_user(joe, "JoeAlcorn", limit=1)
        # Reading is never blocked: a dry run and status, even mid-transaction.
        with Archive(dest, wait=0) as reader:
            assert reader.archive_user(joe, "JoeAlcorn", dry_run=True).plan.fetch
        with sqlite3.connect(dest / CATALOGUE_NAME, timeout=0) as conn:
            conn.execute("BEGIN IMMEDIATE")
            started = time.monotonic()
            result = _cli(sb, "archive", "status", "--dest", str(dest))
            assert result.exit_code == 0 and time.monotonic() - started < 10
            conn.rollback()
        busy = _cli(sb, "archive", "JoeAlcorn", "--dest", str(dest), "--wait", "0")
        assert busy.exit_code == 1 and "another run" in busy.stderr
    # Let go: the next run goes ahead.
    with Archive(dest, wait=0) as after:
        assert len(after.archive_user(joe, "JoeAlcorn", limit=1).downloaded) == 1
    assert (dest / LOCK_NAME).exists()


def test_twelve_runs_at_once_each_capture_downloaded_once(tmp_path: Path) -> None:
    # Cron overlap: twelve `xbox archive` processes started together on one folder (before
    # the lock: 7 of 12 exited 1 on each other's .part files, 7 captures came twice).
    world = World(0)
    sb = Sandbox(seed=0, world=world, rate_limits=False, device_code_pending_polls=0)
    home = tmp_path / "home"
    dest = tmp_path / "archive"
    with sb.serve() as served:
        env = {**os.environ, "XBOX_LIVE_BASE_URL": served.base_url, "XBOX_HOME": str(home)}
        os.environ["XBOX_HOME"] = str(home)
        try:
            with xbox.Client(base_url=served.base_url) as xbl:
                xbl.login_device_code(on_code=lambda code: None)
        finally:
            del os.environ["XBOX_HOME"]
        runs = [subprocess.Popen([sys.executable, "-m", "xbox", "archive", "JoeAlcorn",
                                  "--dest", str(dest), "--wait", "600"], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for _ in range(12)]
        outcomes = [(run.wait(timeout=600), run.communicate()) for run in runs]
    for code, (_out, err) in outcomes:
        assert code == 0, err.decode()
        assert b"Traceback" not in err and b".part" not in err
    waited = sum(b"waiting up to 600 s" in err for _, (_, err) in outcomes)
    assert waited >= 1  # the line that says why a run seems to hang
    media = [r.url.path for r in sb.requests if "content" in r.url.path and "thumb" not in r.url.path
             and r.method == "GET" and r.url.path.endswith((".MP4", ".png"))]
    assert len(media) == len(set(media)) > 0  # no capture downloaded twice
    with Catalogue(dest, readonly=True) as cat:
        published = [c for c in (*world.joe.clips, *world.joe.screenshots,
                                 *world.joe.mediahub_only_clips,
                                 *world.joe.mediahub_only_screenshots) if c.state == "Published"]
        assert sum(r.status == "done" for r in cat.rows()) == len(published)
    for row in Catalogue(dest, readonly=True).rows():
        if row.status == "done":
            data = (dest / (row.path or "")).read_bytes()
            assert hashlib.sha256(data).hexdigest() == row.sha256
