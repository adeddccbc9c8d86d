"""Xbox Live timestamps: ``2014-09-18T20:55:38Z`` and ``2015-10-26T18:11:03.6689508Z``.

.NET writes up to seven fraction digits, which ``datetime.strptime``'s ``%f`` refuses.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["format_datetime", "parse_datetime"]


def parse_datetime(value: str) -> datetime:
    """A timezone-aware UTC datetime for an Xbox Live timestamp (0-7 fraction digits).

    Raises:
        ValueError: the text is not such a timestamp.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    head, dot, rest = text.partition(".")
    if dot:
        digits = len(rest) - len(rest.lstrip("0123456789"))
        if digits == 0:
            raise ValueError(f"bad fraction in {value!r}")
        # fromisoformat takes at most 6 fraction digits; .NET writes 7.
        text = f"{head}.{rest[:min(digits, 6)].ljust(6, '0')}{rest[digits:]}"
    if "T" not in text:
        raise ValueError(f"not an Xbox Live timestamp: {value!r}")
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def format_datetime(dt: datetime) -> str:
    """``2014-09-18T20:55:38Z`` style (no fraction), in UTC."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
