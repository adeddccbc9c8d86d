"""``sandbox.requests`` is a bounded ring (``sandbox serve`` runs for days) that still reads
like the list tests used to index and slice."""

from __future__ import annotations

import httpx
import pytest

from xbox.sandbox import Sandbox
from xbox.sandbox.app import REQUEST_LOG_SIZE, RequestLog


def _get(sb: Sandbox, n: int) -> None:
    http = httpx.Client(base_url=sb.base_url, transport=sb.transport())
    for i in range(n):
        http.get(f"/profile.xboxlive.com/users/xuid({i})/profile/settings")


def test_the_log_keeps_the_latest_requests() -> None:
    sb = Sandbox(seed=0, request_log_size=3)
    _get(sb, 5)
    assert len(sb.requests) == 3
    assert [r.url.path.split("/")[3] for r in sb.requests] == ["xuid(2)", "xuid(3)", "xuid(4)"]
    assert sb.requests[-1].url.path.endswith("xuid(4)/profile/settings")
    assert sb.requests[0].url.path.endswith("xuid(2)/profile/settings")


def test_the_log_reads_as_a_sequence() -> None:
    sb = Sandbox(seed=0)
    _get(sb, 4)
    assert isinstance(sb.requests, RequestLog) and sb.requests.maxlen == REQUEST_LOG_SIZE == 10_000
    tail = sb.requests[2:]
    assert isinstance(tail, list) and len(tail) == 2
    assert sb.requests[-2:] == list(sb.requests)[-2:]
    assert [r.method for r in sb.requests[::2]] == ["GET", "GET"]
    assert sum(1 for _ in sb.requests) == 4


def test_a_log_needs_room() -> None:
    with pytest.raises(ValueError, match="request_log_size"):
        Sandbox(request_log_size=0)
