"""Keep tokens out of third-party debug logs.

At DEBUG level httpcore logs every response's headers verbatim. login.live.com answers the
password sign-in with the access and refresh tokens in a ``Location`` header and sets session
cookies, so a user who turns on DEBUG logging to report a bug would paste their tokens.
A filter on httpcore's loggers blanks those header values; every other log line is untouched.
"""

from __future__ import annotations

import logging
import re

__all__ = ["RedactingFilter", "install"]

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


def install() -> None:
    """Attach the filter to httpcore's loggers (idempotent, cheap)."""
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
