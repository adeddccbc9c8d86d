"""``download``: fetch the signed-in user's (or anyone's ``XUID:ID``) clips and screenshots."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..download import existing, extension_for, set_capture_time
from ..exceptions import NotFoundException
from .app import State, cli, pass_state
from .output import Bytes, Col
from .params import CAPTURE, CaptureRef, InputError, clip, echo
from .progress import download_bar

if TYPE_CHECKING:
    from .. import Client
    from ..models.captures import Clip, Screenshot

    Capture = Clip | Screenshot

__all__ = ["render_template"]

DEFAULT_TEMPLATE = "{date}_{id}.{ext}"
TEMPLATE_FIELDS = ("id", "kind", "title", "title_id", "date", "time", "ext", "xuid")


def render_template(template: str, capture: Capture) -> Path:
    """The relative path of a capture under an output template like ``{title}/{date}_{id}.{ext}``.

    Raises:
        InputError: the template names a field that does not exist or is malformed.
    """
    # (xbox.archive loads with the command that uses it: not for `xbox --help`)
    from ..archive.planner import NAME_MAX, fit_name, sanitize_component

    when = capture.recorded
    values = {
        "id": capture.id,
        "kind": capture.kind,
        "title": sanitize_component(capture.title_name or str(capture.title_id or "unknown")),
        "title_id": str(capture.title_id or ""),
        "date": when.strftime("%Y-%m-%d") if when else "unknown-date",
        "time": when.strftime("%H%M%S") if when else "000000",
        "ext": extension_for(capture.kind),
        "xuid": capture.xuid or "",
    }
    check_template(template)
    rendered = template.format(**values)
    path = Path(rendered)
    if path.is_absolute() or ".." in path.parts:
        raise InputError(f"the output template must give a relative path inside the current "
                         f"folder, not {echo(rendered)}")
    # The file name fits the disk in bytes (with room for ".part"): a long title is cut,
    # keeping the extension and a hash of the whole name.
    return path.with_name(fit_name(path.name, NAME_MAX - len(".part")))


def check_template(template: str) -> None:
    """Raise :class:`InputError` unless ``template`` only names known fields."""
    try:
        template.format(**{name: "x" for name in TEMPLATE_FIELDS})
    except (KeyError, IndexError, ValueError) as exc:
        raise InputError(f"bad output template {echo(template)} ({clip(str(exc))}); "
                         f"fields are {', '.join('{' + f + '}' for f in TEMPLATE_FIELDS)}") from None


def _captures_of(client: Client, xuid: str) -> Iterator[Capture]:
    """A user's clips, then screenshots, page by page."""
    yield from client.clips.recent(xuid)
    yield from client.screenshots.recent(xuid)


def _find(client: Client, refs: Sequence[CaptureRef]) -> list[Capture]:
    """The captures behind ids, looked up in their owners' clip then screenshot lists.

    Raises:
        NotFoundException: an id is not among its owner's clips or screenshots.
    """
    me: str | None = None
    wanted: dict[str, set[str]] = {}
    for ref in refs:
        owner = ref.xuid
        if owner is None:
            me = me or str(client.whoami()["xuid"])
            owner = me
        wanted.setdefault(owner, set()).add(ref.capture_id)
    found: dict[tuple[str, str], Capture] = {}
    for owner, ids in wanted.items():
        missing = set(ids)
        for capture in _captures_of(client, owner):
            if capture.id.lower() in missing:
                found[(owner, capture.id.lower())] = capture
                missing.discard(capture.id.lower())
                if not missing:
                    break  # the lists page lazily: stop fetching once everything is found
        if missing:
            raise NotFoundException(
                f"No clip or screenshot with id {', '.join(sorted(missing))} "
                f"among the captures of xuid {owner}")
    out = []
    for ref in refs:
        key = (ref.xuid or me or "", ref.capture_id)
        if key in found and found[key] not in out:
            out.append(found[key])
    return out


@cli.command()
@click.argument("ids", nargs=-1, required=True, type=CAPTURE, metavar="[XUID:]ID...")
@click.option("-o", "--output", "template", default=DEFAULT_TEMPLATE, show_default=True,
              help="Where to save each file; fields: " + ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS))
@pass_state
def download(state: State, ids: Sequence[CaptureRef], template: str) -> None:
    """Download clips and screenshots by id (yours, or another user's as XUID:ID).

    A file already there and verified (size and signature) is not fetched again. Each
    file's time is set to the moment of capture. With --json: a list, one item per file.
    """
    check_template(template)  # a typo in the template is a usage error: before any request
    state.resumable = True  # a .part left by Ctrl-C is resumed by the next run
    client = state.client()
    captures = _find(client, ids)
    targets = [render_template(template, c) for c in captures]
    results: list[dict[str, Any]] = []
    for capture, target in zip(captures, targets, strict=True):
        result = existing(capture, target)  # the archiver's rule: size and signature
        fetched = result is None
        if result is None:
            with download_bar(state, capture.id[:8]) as progress:
                result = client.download(capture, target, progress=progress)
        set_capture_time(capture, result.path)  # photo tools sort by file time
        results.append({"id": capture.id, "kind": capture.kind, "path": str(result.path),
                        "size": result.size, "sha256": result.sha256,
                        "content_type": result.content_type,
                        "status": "downloaded" if fetched else "present"})
        if fetched:
            state.out.info(f"saved {capture.kind} {capture.id} to {result.path}")
        else:
            state.out.info(f"{result.path} is already there and verified; not fetched again")
    if state.out.json_mode:
        state.out.json(results)
    else:
        state.out.table([Col("ID"), Col("Kind"), Col("Path"), Col("Size", right=True), Col("Status")],
                        [[r["id"], r["kind"], r["path"], Bytes(r["size"]), r["status"]]
                         for r in results])
