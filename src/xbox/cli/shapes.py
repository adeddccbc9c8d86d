"""The one JSON shape of each kind of record the CLI prints (documented in docs/cli.rst).

Each shape puts what scripts want at the top level, under stable snake_case names
(``profile``: ``xuid``, ``gamertag``, ``gamerscore``...), with the record exactly as Xbox
Live sent it in ``raw`` beside them: the fields are the contract, ``raw`` the escape hatch
for anything the fields leave out. Tables are drawn from the same shapes, so a table and
``--json`` never disagree. Commands that take several arguments (``profile``,
``presence``, ``download``, ``archive``) always print a list, even for one.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .. import PlannedRequest
    from ..models.achievements import Achievement, Achievement360
    from ..models.captures import Capture
    from ..models.catalog import Product, SearchProduct
    from ..models.consoles import CommandResult, Console
    from ..models.lists import ListEntry
    from ..models.messages import Conversation, Message
    from ..models.people import Person
    from ..models.presence import Presence
    from ..models.profile import Profile
    from ..models.search import SearchResult
    from ..models.titles import Title
    from ..models.userstats import Stat

__all__ = ["achievement", "achievement_360", "capture", "command", "console", "conversation",
           "message", "person", "pin", "presence", "profile", "request", "search_result", "stat",
           "store_product", "store_result", "title", "would_send", "write"]


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


# -- consoles, messages, and writes ------------------------------------------------------------

def console(c: Console) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "type": c.console_type,
        "power_state": c.power_state,
        "storage": [{"id": d.storage_device_id, "name": d.storage_device_name,
                     "default": d.is_default, "free": d.free_space_bytes,
                     "total": d.total_space_bytes} for d in c.storage_devices],
        "raw": _raw(c),
    }


def conversation(c: Conversation, me: str, names: dict[str, str]) -> dict[str, Any]:
    last = c.newest
    other = c.other(me)
    return {
        "conversation_id": c.conversation_id,
        "xuid": other,
        "gamertag": names.get(other or ""),
        "last_message": last.text if last is not None else None,
        "last_sender": names.get(last.sender or "") if last is not None else None,
        "sent": last.sent if last is not None else None,
        "read": c.is_read,
        "raw": _raw(c),
    }


def message(m: Message, names: dict[str, str]) -> dict[str, Any]:
    return {
        "message_id": m.message_id,
        "conversation_id": m.conversation_id,
        "sender": m.sender,
        "gamertag": names.get(m.sender or ""),
        "text": m.text,
        "sent": m.sent,
        "deleted": m.deleted,
        "raw": _raw(m),
    }


def request(planned: PlannedRequest) -> dict[str, Any]:
    """What a write sends, for ``--dry-run`` (never its headers: they carry the token)."""
    return {"method": planned.method, "url": planned.url, "body": planned.body}


def write(planned: PlannedRequest, dry_run: bool, **fields: Any) -> dict[str, Any]:
    """The shape of every write command: whether it was a dry run, what is (or would be)
    sent, then the command's own fields (what came of it: null on a dry run)."""
    return {"dry_run": dry_run, "request": request(planned), **fields}


def command(result: CommandResult | None, console_id: str, name: str | None,
            command_name: str) -> dict[str, Any]:
    """The result fields of a console command (``result`` None: not sent)."""
    return {
        "console_id": console_id,
        "console": name,
        "command": command_name,
        "op_id": result.op_id if result is not None else None,
        "outcome": result.outcome if result is not None else None,
        "succeeded": result.succeeded if result is not None else None,
    }


def would_send(shape: dict[str, Any]) -> str:
    """The line a ``--dry-run`` prints: the request of a :func:`write` shape."""
    request = shape["request"]
    body = request["body"]
    return (f"would send: {request['method']} {request['url']}"
            + ("" if body is None else f" {json.dumps(body, ensure_ascii=False)}"))
