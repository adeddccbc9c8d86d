"""Commands about users and their captures: profile, clips, screenshots, achievements,
titles, search (friends and presence are in :mod:`.friends`)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from ..exceptions import GamertagNotFound, XboxException
from . import shapes
from .app import State, cli, pass_state
from .output import Bytes, Col
from .params import USER, UserRef, echo

if TYPE_CHECKING:
    from .. import Client
    from ..models.profile import Profile

__all__ = ["resolve", "suggest"]

MAX_SUGGESTIONS = 5
MAX_SEARCHES = 6
MIN_FRAGMENT = 3


# What the Unlocked column says for an achievement not unlocked yet.
_NOT_YET = {"NotStarted": "not yet", "InProgress": "in progress"}


def suggest(client: Client, gamertag: str) -> list[str]:
    """Gamertags close to a mistyped one, from user search (empty when search fails).

    User search matches substrings, so one typo hides the user; searching for ever shorter
    prefixes and suffixes (a few requests at most) finds the neighbours, which are then
    ranked by similarity to what was typed.
    """
    typed = gamertag.split("#", 1)[0].strip()
    shortest = max(MIN_FRAGMENT, (len(typed) + 1) // 2)
    queries: list[str] = []
    for size in range(len(typed) - 1, shortest - 1, -1):
        for fragment in (typed[:size].strip(), typed[-size:].strip()):
            if fragment and fragment not in queries:
                queries.append(fragment)
    found: list[str] = []
    for query in queries[:MAX_SEARCHES]:
        try:
            found = [r.gamertag for r in client.search.gamertags(query) if r.gamertag]
        except (XboxException, ValueError):
            return []  # a suggestion is a courtesy: never let it hide the real error
        if found:
            break
    by_lower = {name.lower(): name for name in found if name.lower() != gamertag.lower()}
    close = difflib.get_close_matches(typed.lower(), list(by_lower), n=MAX_SUGGESTIONS, cutoff=0.6)
    return [by_lower[name] for name in close]


def resolve(client: Client, who: UserRef) -> Profile:
    """The profile of a user given by gamertag or xuid.

    Raises:
        GamertagNotFound: no such user; the message names close matches when there are some.
    """
    try:
        if who.xuid is not None:
            return client.profiles.get(xuid=who.xuid)
        return client.profiles.get(who.gamertag)
    except GamertagNotFound as exc:
        if who.gamertag is None:
            raise
        close = suggest(client, who.gamertag)
        if not close:
            raise
        raise GamertagNotFound(f"{exc.message}; did you mean: {', '.join(close)}?",
                               exc.response, status_code=exc.status_code, service=exc.service,
                               body=exc.body, correlation_id=exc.correlation_id) from None


def resolve_xuid(client: Client, who: UserRef) -> str:
    """The xuid of a user (no request when an xuid was typed)."""
    if who.xuid is not None:
        return who.xuid
    return resolve(client, who).xuid


def _profile_fields(p: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        ("Gamertag", p["gamertag"]),
        ("XUID", p["xuid"]),
        ("Gamerscore", p["gamerscore"]),
        ("Account tier", p["account_tier"]),
        ("Reputation", p["reputation"]),
        ("Tenure", p["tenure"]),
        ("Real name", p["real_name"]),
        ("Location", p["location"]),
        ("Bio", p["bio"]),
        ("Gamerpic", p["gamerpic"]),
    ]


@cli.command()
@click.argument("users", nargs=-1, required=True, type=USER, metavar="GAMERTAG|XUID...")
@pass_state
def profile(state: State, users: Sequence[UserRef]) -> None:
    """Show the profiles of users, by gamertag or xuid.

    With --json: a list of profiles (one per user, even for one).
    """
    client = state.client()
    # Xuids go in batches (one request per 100 users, not one each); gamertags have no batch
    # look-up. An xuid the batch did not answer is looked up alone, for its proper error.
    xuids = list(dict.fromkeys(who.xuid for who in users if who.xuid is not None))
    by_xuid = {p.xuid: p for p in client.profiles.batch(xuids)} if len(xuids) > 1 else {}
    profiles = [shapes.profile((by_xuid.get(who.xuid) if who.xuid is not None else None)
                               or resolve(client, who)) for who in users]
    if state.out.json_mode:
        state.out.json(profiles)
        return
    for i, p in enumerate(profiles):
        if i:
            state.out.line("")
        state.out.fields(_profile_fields(p), title=p["gamertag"] or p["xuid"])


def _list_captures(state: State, kind: str, who: UserRef, saved: bool, limit: int | None) -> None:
    client = state.client()
    xuid = resolve_xuid(client, who)
    resource = client.clips if kind == "clips" else client.screenshots
    pages = resource.saved(xuid, limit=limit) if saved else resource.recent(xuid, limit=limit)
    captures = [shapes.capture(c) for c in pages]
    if state.out.json_mode:
        state.out.json(captures)
        return
    clip = kind == "clips"
    columns = [Col("ID"), Col("Title", free=True), Col("Recorded"),
               *([Col("Seconds", right=True)] if clip else []),
               Col("Views", right=True, optional=True), Col("Saved", optional=True),
               Col("Size", right=True)]
    rows = [[c["id"], c["title"], c["recorded"], *([c["duration"]] if clip else []), c["views"],
             "yes" if c["saved"] else "", Bytes(c["size"]) if c["size"] is not None else None]
            for c in captures]
    state.out.table(columns, rows, title=f"{len(captures)} {kind} of {who}")


_limit = click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
                      help="At most N, newest first.")
_saved = click.option("--saved", is_flag=True, help="Only the ones the user saved.")


@cli.command()
@click.argument("user", type=USER, metavar="GAMERTAG|XUID")
@_saved
@_limit
@pass_state
def clips(state: State, user: UserRef, saved: bool, limit: int | None) -> None:
    """List a user's game clips, newest first."""
    _list_captures(state, "clips", user, saved, limit)


@cli.command()
@click.argument("user", type=USER, metavar="GAMERTAG|XUID")
@_saved
@_limit
@pass_state
def screenshots(state: State, user: UserRef, saved: bool, limit: int | None) -> None:
    """List a user's screenshots, newest first."""
    _list_captures(state, "screenshots", user, saved, limit)


def _newest_first(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Unlocked achievements newest unlock first, then the others in the service's order."""
    unlocked = sorted((a for a in items if a["unlocked_at"] is not None),
                      key=lambda a: a["unlocked_at"], reverse=True)
    return unlocked + [a for a in items if a["unlocked_at"] is None]


def _achievements_360(client: Client, xuid: str, title_id: int | None) -> list[dict[str, Any]]:
    """Xbox 360 achievements in the shape of Xbox One ones: of one title, or of every 360
    title played (one request per title: the service lists them a title at a time)."""
    played = {t.title_id: t.name for t in client.achievements.history_360(xuid)}
    wanted = [title_id] if title_id is not None else list(played)
    return [shapes.achievement_360(a, played.get(tid))
            for tid in wanted for a in client.achievements.list_360(xuid, tid)]


@cli.command()
@click.argument("user", type=USER, metavar="GAMERTAG|XUID")
@click.option("--title", "title_id", type=click.IntRange(min=1), default=None, metavar="ID",
              help="Only this title's achievements (a decimal title id).")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
              help="At most N: the newest unlocked first, then the ones not unlocked yet.")
@click.option("--360", "xbox360", is_flag=True,
              help="Xbox 360 achievements instead (every 360 title played, or --title's).")
@pass_state
def achievements(state: State, user: UserRef, title_id: int | None, limit: int | None,
                 xbox360: bool) -> None:
    """List a user's Xbox One (or, with --360, Xbox 360) achievements, newest unlock first."""
    client = state.client()
    xuid = resolve_xuid(client, user)
    if xbox360:
        items = _newest_first(_achievements_360(client, xuid, title_id))[:limit]
    else:
        # The service sorts by unlock time (newest first, the rest after), so --limit takes
        # the newest; sorting again here keeps that true of a service that ignores the order.
        found = client.achievements.list(xuid, title_id=title_id, limit=limit,
                                         order_by="UnlockTime")
        items = _newest_first([shapes.achievement(a) for a in found])
    if state.out.json_mode:
        state.out.json(items)
        return
    rows = [[a["title"] or a["title_id"], a["name"], a["gamerscore"],
             a["unlocked_at"] if a["unlocked"] else _NOT_YET.get(a["progress_state"] or "", "")]
            for a in items]
    earned = sum(1 for a in items if a["unlocked"])
    kind = "Xbox 360 achievements" if xbox360 else "achievements"
    state.out.table([Col("Title", free=True), Col("Achievement", free=True),
                     Col("Gamerscore", right=True), Col("Unlocked")], rows,
                    title=f"{earned} of {len(items)} {kind} unlocked by {user}")


@cli.command()
@click.argument("user", type=USER, metavar="GAMERTAG|XUID")
@_limit
@pass_state
def titles(state: State, user: UserRef, limit: int | None) -> None:
    """List the titles a user has played, most recent first."""
    client = state.client()
    xuid = resolve_xuid(client, user)
    items = [shapes.title(t) for t in client.titles.history(xuid, limit=limit)]
    if state.out.json_mode:
        state.out.json(items)
        return

    def of(done: int | None, total: int | None) -> str:
        return f"{done}/{total}" if done is not None or total is not None else ""

    rows = [[t["title_id"], t["name"], t["last_played"], of(t["achievements"], t["achievements_total"]),
             of(t["gamerscore"], t["gamerscore_total"])] for t in items]
    state.out.table([Col("Title ID"), Col("Name", free=True), Col("Last played"),
                     Col("Achievements", right=True), Col("Gamerscore", right=True)], rows,
                    title=f"{len(items)} titles played by {user}")


@cli.command()
@click.argument("text")
@pass_state
def search(state: State, text: str) -> None:
    """Find users by (part of) their gamertag."""
    client = state.client()
    results = [shapes.search_result(r) for r in client.search.gamertags(text)]
    if state.out.json_mode:
        state.out.json(results)
        return
    state.out.table([Col("Gamertag"), Col("XUID"), Col("Score", right=True)],
                    [[r["gamertag"], r["xuid"], r["score"]] for r in results],
                    title=f"{len(results)} users matching {echo(text)}")
