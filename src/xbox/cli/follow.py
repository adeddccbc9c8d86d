"""``archive --follow``: after the run, archive new captures as they appear.

A thin loop around the archiver's run: :meth:`xbox.Client.events` says when a user has a
new clip or screenshot (captures are polled, within the rate-limit budget), and the user's
archive is run again, as ``xbox archive`` runs it (incremental, verified, crash-safe: a
Ctrl-C or a crash mid-download loses nothing, and the next run resumes). The gallery is
written again after each run.

A capture recorded while the first run was listing is picked up by the next run, which
reads every list again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .app import State
from .progress import archive_bars

if TYPE_CHECKING:
    from .. import Client
    from ..archive import ArchiveReport

__all__ = ["follow_captures"]

#: Capture ids a run downloaded that later events may still name (one poll can announce a
#: capture that the run it triggered already fetched).
RECENT = 1000


def follow_captures(state: State, client: Client, dest: Path, users: Mapping[str, str], *,
                    kinds: Sequence[str], since: datetime | None, template: str,
                    concurrency: int, interval: float,
                    report: Callable[[State, str, ArchiveReport], None]) -> None:
    """Archive ``users``' (xuid -> the name as typed) new captures into ``dest`` until
    interrupted. ``report(state, user, report)`` writes the gallery again and shows each
    run's outcome."""
    from ..archive import Archive

    if state.use_sandbox:
        state.sandbox().activity.start()  # the embedded sandbox's world records captures too
    names = ", ".join(users.values())
    state.out.info(f"following {names}: new captures are archived as they appear "
                   f"(Ctrl-C stops)")
    fetched: list[str] = []
    with Archive(dest) as folder, client.events(list(users), kinds=("captures",),
                                                poll_interval=interval) as stream:
        for event in stream:
            xuid = event.xuid
            capture_id = getattr(event, "capture_id", None)
            capture_type = getattr(event, "capture_type", None)
            if xuid is None or xuid not in users or capture_type not in kinds \
                    or capture_id in fetched:
                continue
            user = users[xuid]
            state.out.info(f"{event.gamertag or user}: {event.summary()}")
            with archive_bars(state, user, dry_run=False) as progress:
                result = folder.archive_user(client, xuid, kinds=kinds, since=since,
                                             concurrency=concurrency, template=template,
                                             progress=progress)
            fetched = (fetched + [i.id for i in result.downloaded])[-RECENT:]
            report(state, user, result)
