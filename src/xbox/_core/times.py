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
    offset = ""
    if text.endswith("Z"):
        text = text[:-1]
    elif len(text) > 6 and text[-6] in "+-" and text[-3] == ":":
        text, offset = text[:-6], text[-6:]
    main, _, fraction = text.partition(".")
    dt = datetime.strptime(main, "%Y-%m-%dT%H:%M:%S")
    if fraction:
        if not fraction.isdigit():
            raise ValueError(f"bad fraction in {value!r}")
        dt = dt.replace(microsecond=int((fraction + "000000")[:6]))
    if offset:
        return datetime.fromisoformat(dt.isoformat() + offset).astimezone(UTC)
    return dt.replace(tzinfo=UTC)


def format_datetime(dt: datetime) -> str:
    """``2014-09-18T20:55:38Z`` style (no fraction), in UTC."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
