"""Argument types that reject malformed input before any request is sent.

A bad gamertag, xuid or capture id is a usage error (exit 2) reported on one line: the
person mistyped something, and a round trip to Xbox Live would only make the answer slower
and vaguer.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import click

from .. import ids
from ..exceptions import InvalidArgument

__all__ = ["CAPTURE", "SINCE", "USER", "XUID", "CaptureRef", "FiniteRange", "InputError", "UserRef",
           "clip", "echo", "parse_since"]

#: How much of a mistyped input an error message repeats (a pasted page would drown it).
ECHO_LIMIT = 40


def clip(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` with the middle cut out when it is long: what an error repeats of input."""
    if len(text) <= limit:
        return text
    keep = (limit - 1) // 2
    return f"{text[:keep]}…{text[-keep:]}"


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """``repr(text)``, shortened (:func:`clip`): typed input quoted in an error."""
    return repr(clip(text, limit))


class InputError(click.ClickException):
    """Invalid input: exit code 2 and a one-line message (no usage block)."""

    exit_code = 2


def _checked(check: Any, value: Any) -> Any:
    """``check(value)`` with the identity rules' refusal (which echo the input shortened)
    as an :class:`InputError`."""
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


_RELATIVE = re.compile(r"^(\d+)\s*(m|min|h|d|w)$", re.I)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """A moment in time as people type it, in UTC.

    Accepted: ISO 8601 with ``Z`` or an offset (``2026-10-30T12:00:00Z``,
    ``2026-10-30T14:00+02:00``), a time without a zone (UTC), a plain date (its midnight,
    UTC), an age (``30m``, ``12h``, ``7d``, ``2w``: that long before now), ``today`` and
    ``yesterday`` (midnight UTC).

    Raises:
        ValueError: none of those, or a moment a ``datetime`` cannot hold (``99999999d``,
            ``9999-12-31T23:59:59-01:00``).
    """
    try:
        return _since(text, now or datetime.now(UTC))
    except OverflowError:
        # An age or an offset that leads past year 1 or 9999: not a moment, bad input.
        raise OutOfRange(f"{echo(text)} is outside the years 1 to 9999") from None


class OutOfRange(ValueError):
    """A moment before year 1 or after year 9999."""


def _since(text: str, now: datetime) -> datetime:
    value = text.strip()
    lowered = value.lower()
    midnight = datetime.combine(now.astimezone(UTC).date(), time(), UTC)
    if lowered == "today":
        return midnight
    if lowered == "yesterday":
        return midnight - timedelta(days=1)
    if lowered == "now":
        return now
    match = _RELATIVE.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2).lower()
        return now - timedelta(**{_UNITS[unit]: amount})
    iso = value[:-1] + "+00:00" if value[-1:] in ("Z", "z") else value
    parsed = datetime.fromisoformat(iso.replace(" ", "T", 1) if len(iso) > 10 else iso)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class _SinceType(click.ParamType):  # type: ignore[type-arg]  # generic only from click 8.3
    name = "WHEN"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return parse_since(str(value))
        except OutOfRange as exc:
            raise InputError(f"--since {exc}") from None
        except ValueError:
            raise InputError(
                f"--since takes a date or time (2026-10-30, 2026-10-30T12:00:00Z, with an "
                f"offset such as +02:00), an age (30m, 12h, 7d, 2w) or today/yesterday, "
                f"not {echo(str(value))}") from None


SINCE = _SinceType()


class FiniteRange(click.FloatRange):
    """:class:`click.FloatRange` that also refuses ``nan`` and ``inf`` (which compare as no
    number does, and would reach the code as a traceback), as a usage error (exit 2)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if isinstance(number, float) and not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number
