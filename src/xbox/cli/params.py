"""Argument types that reject malformed input before any request is sent.

A bad gamertag, xuid or capture id is a usage error (exit 2) reported on one line: the
person mistyped something, and a round trip to Xbox Live would only make the answer slower
and vaguer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import click

from .._sync.resources._base import validate_xuid

__all__ = ["CAPTURE", "USER", "XUID", "CaptureRef", "InputError", "UserRef"]

CLASSIC_GAMERTAG_MAX = 15
MODERN_GAMERTAG_MAX = 20  # "Name#1234": a modern gamertag with its number suffix
_SUFFIX_RE = re.compile(r"^\d{1,4}$")
_GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")


class InputError(click.ClickException):
    """Invalid input: exit code 2 and a one-line message (no usage block)."""

    exit_code = 2


def check_xuid(text: str) -> str:
    """The xuid, or :class:`InputError` unless it is a positive decimal number."""
    text = text.strip()
    try:
        return validate_xuid(text)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def check_gamertag(text: str) -> str:
    """The gamertag, or :class:`InputError` if Xbox Live could never have issued it."""
    gamertag = text.strip()
    if not gamertag:
        raise InputError("a gamertag cannot be empty")
    base, sep, suffix = gamertag.rpartition("#")
    if sep:
        if not _SUFFIX_RE.match(suffix) or not base:
            raise InputError(f"a gamertag suffix is '#' and up to 4 digits, as in Name#1234: {text!r}")
        limit, name = MODERN_GAMERTAG_MAX, base
    else:
        limit, name = CLASSIC_GAMERTAG_MAX, gamertag
    if len(gamertag) > limit:
        raise InputError(
            f"a gamertag is at most {CLASSIC_GAMERTAG_MAX} characters "
            f"({MODERN_GAMERTAG_MAX} with a #1234 suffix), not {len(gamertag)}: {text!r}")
    if not all(ch.isalnum() or ch == " " for ch in name):
        raise InputError(f"a gamertag has only letters, digits and spaces: {text!r}")
    return gamertag


@dataclass(frozen=True)
class UserRef:
    """A user as typed: a gamertag, or an xuid (all digits; gamertags start with a letter)."""

    gamertag: str | None = None
    xuid: str | None = None

    def __str__(self) -> str:
        return self.gamertag or self.xuid or ""


@dataclass(frozen=True)
class CaptureRef:
    """A capture id as typed: ``ID`` (the signed-in user's) or ``XUID:ID``."""

    capture_id: str
    xuid: str | None = None

    def __str__(self) -> str:
        return f"{self.xuid}:{self.capture_id}" if self.xuid else self.capture_id


class _UserType(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.3
    name = "GAMERTAG|XUID"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> UserRef:
        if isinstance(value, UserRef):
            return value
        text = str(value).strip()
        if text.isdigit():
            return UserRef(xuid=check_xuid(text))
        return UserRef(gamertag=check_gamertag(text))


class _XuidType(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.3
    name = "XUID"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        return check_xuid(str(value))


class _CaptureType(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.3
    name = "CAPTURE_ID"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> CaptureRef:
        if isinstance(value, CaptureRef):
            return value
        text = str(value).strip()
        xuid: str | None = None
        if ":" in text:
            owner, _, text = text.partition(":")
            xuid = check_xuid(owner)
        if not _GUID_RE.match(text):
            raise InputError(
                f"a clip or screenshot id looks like 1b6e8c2a-58f3-4c2e-9e57-0d0b5b0e4c11, not {value!r}")
        return CaptureRef(capture_id=text.lower(), xuid=xuid)


USER = _UserType()
XUID = _XuidType()
CAPTURE = _CaptureType()
