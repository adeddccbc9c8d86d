"""Wire eras: which generation of Xbox Live's capture shapes the sandbox speaks.

Xbox Live changed its capture bodies over the years without changing the request contract
version, so a client written against one year's recordings meets another year's shapes with
the same request. An era picks those shapes; it never changes the world (the same seed gives
the same captures in every era).

* ``"2025"`` (default, today), as the 2025-26 recordings (``tests/fixtures/recorded-2025/``)
  show it: gameclipsmetadata and screenshotsmetadata send every enum field as an integer,
  ``clipContentAttributes`` / ``screenshotContentAttributes`` included (wire spec, "Since
  2025: integer enums on captures"); social summaries carry ``isFriend``; a presence title
  says when with ``timestamp``.
* ``"2018"``: the 2018 recordings (``tests/fixtures/recorded/``): string enums and
  ``"None"`` content attributes, summaries without ``isFriend``, presence titles with
  ``lastModified``.
* ``"2014"``: the 2014 clip shape of the wire spec §3 (24 keys, separate thumbnail PNGs with
  their sizes, ``http://`` hosts, the 2012 SAS URL form, streaming URIs on saved clips, ``==``
  token padding). Screenshots did not exist in 2014: they keep the 2018 shape; every other
  service answers as in 2018.

Contract versions are not eras: a service answers each version it serves in the era's
shapes (:mod:`xbox.sandbox.contracts`).

The era also picks login.live.com's sign-in page (:mod:`xbox.sandbox.services.login_pages`):
today's JSON ``ServerData`` (2025), the recorded 2018 page, or the 2014 one.
"""

from __future__ import annotations

import os

__all__ = [
    "CONTENT_ATTRIBUTES",
    "DEFAULT_ERA",
    "ERAS",
    "ERA_ENV",
    "GAME_CLIP_STATE",
    "GAME_CLIP_TYPE_FLAGS",
    "THUMBNAIL_TYPE",
    "URI_TYPE",
    "check_era",
    "is_today",
    "resolve_era",
    "type_flags",
]

ERAS = ("2014", "2018", "2025")
DEFAULT_ERA = "2025"
# The era of a sandbox built without one (``xbox --sandbox``, ``xbox sandbox serve``).
ERA_ENV = "XBOX_SANDBOX_ERA"

# Integer values in declaration order of the enumerations of Microsoft's Xbox Live REST
# reference (spec, "Since 2025"). Recorded in 2025: state 6, type 8, thumbnailType 1/2,
# uriType 2; the rest follow the declaration order.
GAME_CLIP_STATE = {name: i for i, name in enumerate((
    "None", "PendingUpload", "PendingDelete", "Processed", "Processing", "Publishing",
    "Published", "Flagged", "Banned", "Uploaded", "Deleted", "Error"))}
THUMBNAIL_TYPE = {"None": 0, "Small": 1, "Large": 2}
URI_TYPE = {"None": 0, "Original": 1, "Download": 2, "SmoothStreaming": 3, "Ahls": 4}
# GameClipTypes is a flags enumeration. Assumption: bits in declaration order after None
# (MetadataOnly 1, DeveloperInitiated 2, Achievement 4, UserGenerated 8); only
# UserGenerated = 8 is recorded.
GAME_CLIP_TYPE_FLAGS = {"None": 0, "MetadataOnly": 1, "DeveloperInitiated": 2, "Achievement": 4,
                        "UserGenerated": 8}


# clipContentAttributes / screenshotContentAttributes: a flags value, 0 for none (the 2025
# recordings show 0 where 2018 sent "None"; no other value is recorded).
CONTENT_ATTRIBUTES = {"None": 0}


def is_today(era: str) -> bool:
    """Whether ``era`` speaks today's shapes (the 2025-26 recordings)."""
    return era == "2025"


def resolve_era(era: str | None) -> str:
    """The era in force: ``era``, else ``$XBOX_SANDBOX_ERA``, else :data:`DEFAULT_ERA`; checked."""
    if era is None:
        era = os.environ.get(ERA_ENV) or DEFAULT_ERA
    return check_era(era)


def check_era(era: object) -> str:
    """``era`` if it is one of :data:`ERAS`, else a ValueError that says which are."""
    if not isinstance(era, str) or era not in ERAS:
        raise ValueError(f"unknown sandbox era {era!r}: expected one of "
                         + ", ".join(repr(e) for e in ERAS))
    return era


def type_flags(value: str) -> int:
    """The integer of a ``type`` string such as ``"DeveloperInitiated, Achievement"``."""
    flags = 0
    for name in value.split(","):
        flags |= GAME_CLIP_TYPE_FLAGS[name.strip()]
    return flags
