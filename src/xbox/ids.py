"""Xbox Live's identity rules, in one place: what an xuid, a gamertag, a title id, a SCID and
a capture id can look like. Every layer (resources, the CLI, the archiver) checks input here,
before any request, and a violation is an :class:`~xbox.exceptions.InvalidArgument`.

* An **xuid** is a positive decimal number below 2**64 (``2533274812246958``).
* A **gamertag** is classic (1 to 15 letters, digits and single spaces) or modern (up to 12
  characters, then optionally ``#`` and a suffix of up to 4 digits: ``Name#1234``). Xbox
  Live never starts one with a digit, so text that is all digits is an xuid, not a gamertag.
"""

from __future__ import annotations

import re
from typing import Any

from .exceptions import InvalidArgument

__all__ = [
    "CLASSIC_GAMERTAG_MAX",
    "MODERN_GAMERTAG_MAX",
    "check_capture_id",
    "check_gamertag",
    "check_scid",
    "check_title_id",
    "check_xuid",
    "looks_like_xuid",
]

CLASSIC_GAMERTAG_MAX = 15
MODERN_GAMERTAG_MAX = 20  # "Name#1234": a modern gamertag with its number suffix
_SUFFIX_RE = re.compile(r"\d{1,4}")
_GUID_RE = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                      r"[0-9a-fA-F]{12}")
_SCID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def looks_like_xuid(text: str) -> bool:
    """Whether typed text names a user by xuid (all digits) rather than by gamertag."""
    return text.strip().isdigit()


def check_xuid(xuid: Any) -> str:
    """The xuid as a string.

    Raises:
        InvalidArgument: unless it is a positive decimal number below 2**64.
    """
    text = str(xuid).strip() if isinstance(xuid, str | int) and not isinstance(xuid, bool) else ""
    if not text.isdigit() or not 0 < int(text) < 2**64:
        raise InvalidArgument(
            f"an xuid is a positive decimal number like 2533274812246958, not {_shown(xuid)}")
    return text


def check_gamertag(gamertag: Any) -> str:
    """The gamertag, stripped.

    Raises:
        InvalidArgument: Xbox Live could never have issued it (empty, too long, characters
            a gamertag cannot have, a malformed ``#`` suffix).
    """
    text = gamertag.strip() if isinstance(gamertag, str) else ""
    if not text:
        raise InvalidArgument(f"a gamertag cannot be empty: {_shown(gamertag)}")
    base, sep, suffix = text.rpartition("#")
    if sep:
        if not base or not _SUFFIX_RE.fullmatch(suffix):
            raise InvalidArgument(
                f"a gamertag suffix is '#' and up to 4 digits, as in Name#1234: {_shown(text)}")
        limit, name = MODERN_GAMERTAG_MAX, base
    else:
        limit, name = CLASSIC_GAMERTAG_MAX, text
    if len(text) > limit:
        raise InvalidArgument(
            f"a gamertag is at most {CLASSIC_GAMERTAG_MAX} characters ({MODERN_GAMERTAG_MAX} "
            f"with a #1234 suffix), not {len(text)}: {_shown(text)}")
    if not all(ch.isalnum() or ch == " " for ch in name):
        raise InvalidArgument(f"a gamertag has only letters, digits and spaces: {_shown(text)}")
    return text


def check_title_id(title_id: Any) -> int:
    """The title id as an int.

    Raises:
        InvalidArgument: unless it is a positive 32-bit decimal number.
    """
    text = str(title_id).strip() if isinstance(title_id, str | int) and not isinstance(
        title_id, bool) else ""
    if not text.isdigit() or int(text) == 0 or int(text) >= 2**32:
        raise InvalidArgument(
            f"a title id is a positive 32-bit number like 219630713, not {_shown(title_id)}")
    return int(text)


def check_scid(scid: Any) -> str:
    """A service configuration id (a GUID with dashes).

    Raises:
        InvalidArgument: it is not one.
    """
    text = scid.strip() if isinstance(scid, str) else ""
    if not _SCID_RE.fullmatch(text):
        raise InvalidArgument(
            f"a SCID looks like 1370999b-fca2-4c53-8ec5-73493bcb67e5, not {_shown(scid)}")
    return text


def check_capture_id(capture_id: Any) -> str:
    """A clip or screenshot id (a GUID), lower case.

    Raises:
        InvalidArgument: it is not one.
    """
    text = capture_id.strip() if isinstance(capture_id, str) else ""
    if not _GUID_RE.fullmatch(text):
        raise InvalidArgument("a clip or screenshot id looks like "
                              f"1b6e8c2a-58f3-4c2e-9e57-0d0b5b0e4c11, not {_shown(capture_id)}")
    return text.lower()


def _shown(value: Any, limit: int = 40) -> str:
    """``value`` for an error message, shortened: input is echoed, never pasted whole."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"
