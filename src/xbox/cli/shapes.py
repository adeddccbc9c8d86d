"""The one JSON shape of each kind of record the CLI prints (documented in docs/cli.rst).

Each shape puts what scripts want at the top level, under stable snake_case names
(``profile``: ``xuid``, ``gamertag``, ``gamerscore``...), with the record exactly as Xbox
Live sent it in ``raw`` beside them: the fields are the contract, ``raw`` the escape hatch
for anything the fields leave out. Tables are drawn from the same shapes, so a table and
``--json`` never disagree. Commands that take several arguments (``profile``,
``presence``, ``download``, ``archive``) always print a list, even for one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..models.achievements import Achievement, Achievement360
    from ..models.captures import Capture
    from ..models.catalog import Product, SearchProduct
    from ..models.lists import ListEntry
    from ..models.people import Person
    from ..models.presence import Presence
    from ..models.profile import Profile
    from ..models.search import SearchResult
    from ..models.titles import Title
    from ..models.userstats import Stat

__all__ = ["achievement", "achievement_360", "capture", "person", "pin", "presence", "profile",
           "search_result", "stat", "store_product", "store_result", "title"]


def _raw(record: Any) -> Any:
    raw = getattr(record, "raw", None)
    return raw if raw is not None else record.model_dump(mode="json", by_alias=True)


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None and value != "" else None
    except (TypeError, ValueError):
        return None


def profile(p: Profile) -> dict[str, Any]:
    return {
        "xuid": p.xuid,
        "gamertag": p.gamertag,
        "gamerscore": p.gamerscore,
        "account_tier": p.setting("AccountTier"),
        "reputation": p.setting("XboxOneRep"),
        "tenure": p.tenure_level,
        "real_name": p.setting("RealName") or None,
        "location": p.setting("Location") or None,
        "bio": p.setting("Bio") or None,
        "gamerpic": p.gamerpic,
        "raw": _raw(p),
    }


def capture(c: Capture) -> dict[str, Any]:
    media = c.download
    return {
        "id": c.id,
        "kind": c.kind,
        "xuid": c.xuid,
        "title": c.title_name,
        "title_id": c.title_id,
        "recorded": c.recorded,
        "duration": getattr(c, "duration_in_seconds", None),
        "views": c.views,
        "saved": c.saved_by_user,
        "state": str(c.state) if c.state is not None else None,
        "size": (media.file_size or None) if media is not None else None,
        "raw": _raw(c),
    }


def achievement(a: Achievement) -> dict[str, Any]:
    return {
        "id": a.id,
        "name": a.name,
        "title": a.title_associations[0].name if a.title_associations else None,
        "title_id": a.title_id,
        "gamerscore": a.gamerscore,
        "unlocked": a.unlocked,
        "unlocked_at": a.unlocked_at,
        "progress_state": a.progress_state,
        "description": a.description if a.unlocked or not a.locked_description
        else a.locked_description,
        "raw": _raw(a),
    }


def title(t: Title) -> dict[str, Any]:
    a = t.achievement
    return {
        "title_id": _int(t.title_id),
        "name": t.name,
        "last_played": t.last_played,
        "achievements": a.current_achievements if a else None,
        "achievements_total": a.total_achievements if a else None,
        "gamerscore": a.current_gamerscore if a else None,
        "gamerscore_total": a.total_gamerscore if a else None,
        "raw": _raw(t),
    }


def person(p: Person) -> dict[str, Any]:
    return {
        "xuid": p.xuid,
        "gamertag": p.gamertag,
        "gamerscore": p.gamerscore,
        "presence": p.presence_state,
        "doing": p.presence_text,
        "favorite": bool(p.is_favorite),
        "raw": _raw(p),
    }


def presence(r: Presence, gamertag: str | None) -> dict[str, Any]:
    seen = r.last_seen
    return {
        "xuid": r.xuid,
        "gamertag": gamertag,
        "state": r.state,
        "playing": [t.name for t in r.titles if t.name],
        "last_seen": seen.timestamp if seen is not None else None,
        "last_title": seen.title_name if seen is not None else None,
        "raw": _raw(r),
    }


def search_result(r: SearchResult) -> dict[str, Any]:
    return {"gamertag": r.gamertag, "xuid": r.xuid, "score": r.score, "raw": _raw(r)}


def achievement_360(a: Achievement360, title_name: str | None) -> dict[str, Any]:
    """An Xbox 360 achievement in the shape of :func:`achievement` (360 achievements have no
    progress state: it is null)."""
    return {
        "id": str(a.id),
        "name": a.name,
        "title": title_name,
        "title_id": a.title_id,
        "gamerscore": a.gamerscore,
        "unlocked": bool(a.unlocked),
        "unlocked_at": a.unlocked_at,
        "progress_state": None,
        "description": a.description if a.unlocked or not a.locked_description
        else a.locked_description,
        "raw": _raw(a),
    }


def stat(s: Stat, title_id: int | None) -> dict[str, Any]:
    return {"name": s.name, "display_name": s.display_name, "value": s.number, "type": s.type,
            "xuid": s.xuid, "scid": s.scid, "title_id": title_id, "raw": _raw(s)}


def store_result(p: SearchProduct) -> dict[str, Any]:
    return {"id": p.product_id, "title": p.title, "type": p.type, "raw": _raw(p)}


def store_product(p: Product) -> dict[str, Any]:
    return {
        "id": p.product_id,
        "title": p.title,
        "kind": p.product_kind,
        "publisher": p.publisher,
        "developer": p.developer,
        "released": p.released,
        "price": p.price,
        "currency": p.currency,
        "pfn": p.pfn,
        "title_id": _int(p.alternate_id("XboxTitleId")),
        "description": p.description,
        "raw": _raw(p),
    }


def pin(entry: ListEntry) -> dict[str, Any]:
    item = entry.item
    return {"id": item.item_id or item.provider_id, "title": item.title,
            "type": item.content_type, "device": item.device_type, "index": entry.index,
            "added": entry.added,
            "raw": entry.model_dump(mode="json", by_alias=True)}
