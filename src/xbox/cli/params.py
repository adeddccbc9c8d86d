"""Argument types that reject malformed input before any request is sent.

A bad gamertag, xuid or capture id is a usage error (exit 2) reported on one line: the
person mistyped something, and a round trip to Xbox Live would only make the answer slower
and vaguer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import click

from .._core import ids
from ..exceptions import InvalidArgument

__all__ = ["CAPTURE", "USER", "XUID", "CaptureRef", "InputError", "UserRef"]


class InputError(click.ClickException):
    """Invalid input: exit code 2 and a one-line message (no usage block)."""

    exit_code = 2


def _checked(check: Any, value: Any) -> Any:
    """``check(value)`` with the identity rules' refusal as an :class:`InputError`."""
    try:
        return check(value)
    except InvalidArgument as exc:
        raise InputError(str(exc)) from None


def check_xuid(text: str) -> str:
    """The xuid, or :class:`InputError` unless it is a positive decimal number."""
    return str(_checked(ids.check_xuid, text))


def check_gamertag(text: str) -> str:
    """The gamertag, or :class:`InputError` if Xbox Live could never have issued it."""
    return str(_checked(ids.check_gamertag, text))


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
        if ids.looks_like_xuid(text):
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
        return CaptureRef(capture_id=str(_checked(ids.check_capture_id, text)), xuid=xuid)


USER = _UserType()
XUID = _XuidType()
CAPTURE = _CaptureType()
