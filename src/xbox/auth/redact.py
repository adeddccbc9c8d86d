"""Keep tokens out of third-party debug logs.

At DEBUG level httpcore logs every response's headers verbatim. login.live.com answers the
password sign-in with the access and refresh tokens in a ``Location`` header and sets session
cookies, so a user who turns on DEBUG logging to report a bug would paste their tokens.
A filter on httpcore's loggers blanks those header values; every other log line is untouched.

The filter is there only while a client has a connection pool open (``import xbox`` changes
nothing outside the package); :func:`install` adds it for good, for programs that want it.
"""

from __future__ import annotations

import logging
import re
import threading

__all__ = ["RedactingFilter", "acquire", "install", "release"]

_SECRET_HEADERS = rb"location|set-cookie|authorization|cookie"
_HEADER_RE = re.compile(
    r"\((b'(?:" + _SECRET_HEADERS.decode() + r")'|b\"(?:" + _SECRET_HEADERS.decode()
    + r")\"), (b'(?:[^'\\]|\\.)*'|b\"(?:[^\"\\]|\\.)*\")\)",
    re.IGNORECASE)
_LOGGERS = ("httpcore.http11", "httpcore.http2", "httpcore.connection", "httpcore.proxy")


class RedactingFilter(logging.Filter):
    """Replace the values of secret-bearing headers in httpcore's trace lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "b'" in message or 'b"' in message:
            cleaned = _HEADER_RE.sub(r"(\1, b'<redacted>')", message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return True


_FILTER = RedactingFilter()
_LOCK = threading.Lock()
_holders = 0
_for_good = False


def _attach() -> None:
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def install() -> None:
    """Attach the filter to httpcore's loggers for good (idempotent, cheap)."""
    global _for_good
    with _LOCK:
        _for_good = True
        _attach()


def acquire() -> None:
    """A connection pool opened: make sure the filter is on."""
    global _holders
    with _LOCK:
        _holders += 1
        _attach()


def release() -> None:
    """A connection pool closed: the last one takes the filter off again (unless
    :func:`install` asked for it to stay)."""
    global _holders
    with _LOCK:
        _holders = max(0, _holders - 1)
        if _holders == 0 and not _for_good:
            for name in _LOGGERS:
                logging.getLogger(name).removeFilter(_FILTER)
