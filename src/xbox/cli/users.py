"""Commands about users and their captures: profile, clips, screenshots."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from ..exceptions import GamertagNotFound, XboxException
from .app import State, cli, pass_state
from .params import USER, UserRef

if TYPE_CHECKING:
    from .. import Client
    from ..models.captures import Capture
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
    import difflib

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


def _profile_fields(p: Profile) -> list[tuple[str, Any]]:
    return [
        ("Gamertag", p.gamertag),
        ("XUID", p.xuid),
        ("Gamerscore", p.gamerscore),
        ("Account tier", p.setting("AccountTier")),
        ("Reputation", p.setting("XboxOneRep")),
        ("Tenure", p.tenure_level),
        ("Real name", p.setting("RealName")),
        ("Location", p.setting("Location")),
        ("Bio", p.setting("Bio")),
        ("Gamerpic", p.gamerpic),
    ]


@cli.command()
@click.argument("users", nargs=-1, required=True, type=USER, metavar="GAMERTAG|XUID...")
@pass_state
def profile(state: State, users: Sequence[UserRef]) -> None:
    """Show the profiles of users, by gamertag or xuid."""
    client = state.client()
    profiles = [resolve(client, who) for who in users]
    if state.out.json_mode:
        state.out.json(profiles[0] if len(profiles) == 1 else profiles)
        return
    for p in profiles:
        state.out.fields(_profile_fields(p), title=p.gamertag or p.xuid)


def _capture_rows(captures: Sequence[Capture]) -> list[list[Any]]:
    rows = []
    for c in captures:
        size = c.download.file_size if c.download is not None else None
        rows.append([c.id, c.title_name, c.recorded, getattr(c, "duration_in_seconds", None),
                     c.views, "yes" if c.saved_by_user else "", size])
    return rows


def _list_captures(state: State, kind: str, who: UserRef, saved: bool, limit: int | None) -> None:
    client = state.client()
    xuid = resolve_xuid(client, who)
    resource = client.clips if kind == "clips" else client.screenshots
    pages = resource.saved(xuid, limit=limit) if saved else resource.recent(xuid, limit=limit)
    captures: list[Capture] = list(pages)
    if state.out.json_mode:
        state.out.json(captures)
        return
    columns = ["ID", "Title", "Recorded", "Seconds" if kind == "clips" else "", "Views", "Saved", "Bytes"]
    rows = _capture_rows(captures)
    if kind != "clips":  # screenshots have no duration: drop the column
        columns.pop(3)
        for row in rows:
            row.pop(3)
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
    """List a user's game clips."""
    _list_captures(state, "clips", user, saved, limit)


@cli.command()
@click.argument("user", type=USER, metavar="GAMERTAG|XUID")
@_saved
@_limit
@pass_state
def screenshots(state: State, user: UserRef, saved: bool, limit: int | None) -> None:
    """List a user's screenshots."""
    _list_captures(state, "screenshots", user, saved, limit)


@cli.command()
@click.argument("user", type=USER, metavar="GAMERTAG|XUID")
@click.option("--title", "title_id", type=click.IntRange(min=1), default=None, metavar="ID",
              help="Only this title's achievements (a decimal title id).")
@_limit
@pass_state
def achievements(state: State, user: UserRef, title_id: int | None, limit: int | None) -> None:
    """List a user's Xbox One achievements (all titles, or one)."""
    client = state.client()
    xuid = resolve_xuid(client, user)
    items = list(client.achievements.list(xuid, title_id=title_id, limit=limit))
    if state.out.json_mode:
        state.out.json(items)
        return
    rows = [[a.title_associations[0].name if a.title_associations else a.title_id, a.name,
             a.gamerscore, a.unlocked_at if a.unlocked else _NOT_YET.get(a.progress_state or "", "")]
            for a in items]
    earned = sum(1 for a in items if a.unlocked)
    state.out.table(["Title", "Achievement", "Gamerscore", "Unlocked"], rows,
                    title=f"{earned} of {len(items)} achievements unlocked by {user}")


@cli.command()
@click.argument("user", type=USER, metavar="GAMERTAG|XUID")
@_limit
@pass_state
def titles(state: State, user: UserRef, limit: int | None) -> None:
    """List the titles a user has played, most recent first."""
    client = state.client()
    xuid = resolve_xuid(client, user)
    items = client.titles.history(xuid, limit=limit)
    if state.out.json_mode:
        state.out.json(items)
        return
    rows = []
    for t in items:
        a = t.achievement
        rows.append([t.title_id, t.name, t.last_played,
                     f"{a.current_achievements}/{a.total_achievements}" if a else "",
                     f"{a.current_gamerscore}/{a.total_gamerscore}" if a else ""])
    state.out.table(["Title ID", "Name", "Last played", "Achievements", "Gamerscore"], rows,
                    title=f"{len(items)} titles played by {user}")


@cli.command()
@click.argument("user", type=USER, metavar="[GAMERTAG|XUID]", required=False)
@pass_state
def friends(state: State, user: UserRef | None) -> None:
    """List the people a user follows (yours by default)."""
    client = state.client()
    xuid = resolve_xuid(client, user) if user is not None else None
    people = client.people.friends(xuid)
    if state.out.json_mode:
        state.out.json(people)
        return
    rows = [[p.gamertag, p.xuid, p.gamerscore, p.presence_state, p.presence_text,
             "yes" if p.is_favorite else ""] for p in people]
    whose = f"{user}" if user is not None else (client.gamertag or "you")
    state.out.table(["Gamertag", "XUID", "Gamerscore", "Presence", "Doing", "Favorite"], rows,
                    title=f"{len(people)} people followed by {whose}")


@cli.command()
@click.argument("users", nargs=-1, required=True, type=USER, metavar="GAMERTAG|XUID...")
@pass_state
def presence(state: State, users: Sequence[UserRef]) -> None:
    """Show whether users are online and what they are playing."""
    client = state.client()
    names: dict[str, str] = {}
    for who in users:
        if who.xuid is not None:
            names.setdefault(who.xuid, who.xuid)
        else:
            found = resolve(client, who)
            names[found.xuid] = found.gamertag or str(who)
    records = client.presence.batch(list(names))
    if state.out.json_mode:
        state.out.json(records)
        return
    rows = []
    for r in records:
        playing = ", ".join(t.name for t in r.titles if t.name)
        last = r.last_seen.title_name if r.last_seen is not None else None
        seen = r.last_seen.timestamp if r.last_seen is not None else None
        rows.append([names.get(r.xuid, r.xuid), r.xuid, r.state, playing or last or "", seen])
    state.out.table(["Gamertag", "XUID", "State", "Playing / last played", "Last seen"], rows)


@cli.command()
@click.argument("text")
@pass_state
def search(state: State, text: str) -> None:
    """Find users by (part of) their gamertag."""
    client = state.client()
    results = client.search.gamertags(text)
    if state.out.json_mode:
        state.out.json(results)
        return
    state.out.table(["Gamertag", "XUID", "Score"], [[r.gamertag, r.xuid, r.score] for r in results],
                    title=f"{len(results)} users matching {text!r}")
