"""The fault layer at the raw HTTP level: every kind, with plain httpx (not the xbox client),
against the sandbox served on 127.0.0.1 (where each fault is real on the socket) and
in-process (where it is what an httpx client would see through the mock transport).

Timing is asserted loosely: lower bounds only, never a tight upper bound.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from xbox.sandbox import JOE_XUID, Fault, FaultKind, Sandbox, ServedSandbox
from xbox.sandbox.faults import MAX_PAUSE_SECONDS
from xbox.sandbox.services.media import CLIP_DOWNLOAD_HOST, signed_media_url

PROFILE_HOST = "profile.xboxlive.com"
PROFILE = f"/{PROFILE_HOST}/users/me/profile/settings?settings=Gamertag"
BATCH = f"/{PROFILE_HOST}/users/batch/profile/settings"
ERRORS = (httpx.ReadError, httpx.RemoteProtocolError)

# Each kind with parameters that keep a test short (timed kinds wait 0.2 s at most).
QUICK: dict[FaultKind, dict[str, Any]] = {
    FaultKind.HANG_HEADERS: {"seconds": 0.2},
    FaultKind.HANG_BODY: {"seconds": 0.2},
    FaultKind.DELAY: {"seconds": 0.2},
    FaultKind.SLOW_DRIP: {"rate": 100_000},
}


def quick(kind: FaultKind, **fields: Any) -> Fault:
    return Fault(kind=kind, **{**QUICK.get(kind, {}), **fields})


@pytest.fixture
def served(sb: Sandbox) -> Iterator[ServedSandbox]:
    with sb.serve() as s:
        yield s


@pytest.fixture
def http(sb: Sandbox, served: ServedSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.base_url, timeout=10,
                      headers={"Authorization": sb.authorization_for()}) as client:
        yield client


@pytest.fixture
def local(sb: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sb.base_url, transport=sb.transport(), timeout=10,
                      headers={"Authorization": sb.authorization_for()}) as client:
        yield client


def outcome(client: httpx.Client, url: str = PROFILE, method: str = "GET") -> tuple[Any, ...]:
    """("ok", status, raw body) | ("broken", status, error class, bytes got) | ("failed", error class)."""
    try:
        with client.stream(method, url) as response:
            got = b""
            try:
                for chunk in response.iter_raw():
                    got += chunk
            except httpx.StreamConsumed:  # in-process, httpx has read a plain body already
                got = response.content
            except httpx.TransportError as exc:
                return ("broken", response.status_code, type(exc), len(got))
            return ("ok", response.status_code, got)
    except httpx.TransportError as exc:
        return ("failed", type(exc))


def media_url(sb: Sandbox) -> tuple[str, bytes]:
    """A valid signed clip URL in the mapped layout, and the clip's bytes."""
    clip = next(c for c in sb.world.joe.clips if c.state == "Published")
    url, _ = signed_media_url(sb, clip, CLIP_DOWNLOAD_HOST)
    return "/" + url.removeprefix("https://"), clip.media_bytes()


# -- the API ---------------------------------------------------------------------------------

def test_every_kind_is_listed_and_builds_with_defaults() -> None:
    assert {k.value for k in FaultKind} == {
        "status", "server_error", "rate_limited", "rate_limited_no_retry_after", "invalid_json",
        "html", "corrupt_gzip", "expired_signature", "transport_error", "reset", "reset_mid_body",
        "truncated", "content_length_short", "content_length_long", "hang_headers", "hang_body",
        "slow_drip", "delay"}
    for kind in FaultKind:
        assert Fault(kind=kind).kind is kind
        assert Fault(kind=kind.value).kind is kind  # the string value works as well
    assert FaultKind.RESET.served and not FaultKind.SERVER_ERROR.served
    assert FaultKind.SLOW_DRIP.timed and not FaultKind.TRUNCATED.timed


def test_the_older_fields_pick_a_kind() -> None:
    assert Fault(status=503).kind is FaultKind.STATUS
    assert Fault(error=httpx.ConnectError).kind is FaultKind.TRANSPORT_ERROR
    truncated = Fault(truncate_at=10)
    assert truncated.kind is FaultKind.TRUNCATED and truncated.at == 10
    delayed = Fault(delay=2)
    assert delayed.kind is FaultKind.DELAY and delayed.pause_seconds() == 2


def test_waits_are_bounded() -> None:
    assert Fault(kind="hang_headers", seconds=1e9).pause_seconds() == MAX_PAUSE_SECONDS
    assert Fault(kind="hang_body").pause_seconds() == 10.0
    with pytest.raises(ValueError, match="500, 502, 503 or 504"):
        Fault(kind="server_error", status=404)
    with pytest.raises(ValueError):
        Fault(kind="bogus")


def test_matching_by_host_path_method_and_count(sb: Sandbox, local: httpx.Client) -> None:
    sb.faults.append(Fault(kind="server_error", method="POST", host=PROFILE_HOST, times=2))
    sb.faults.append(Fault(kind="server_error", status=504, path_contains="/users/me/"))
    sb.faults.append(Fault(kind="server_error", status=500, host="titlehub.xboxlive.com"))
    body = {"userIds": [JOE_XUID], "settings": ["Gamertag"]}
    assert local.get(PROFILE).status_code == 504  # not the POST-only fault
    assert local.get(PROFILE).status_code == 200  # that one is spent
    assert [local.post(BATCH, json=body).status_code for _ in range(3)] == [503, 503, 200]
    assert [f.times for f in sb.faults] == [0, 0, 1]  # the titlehub one never matched


# -- each kind on the socket -----------------------------------------------------------------

def test_a_burst_of_server_errors_then_service(sb: Sandbox, http: httpx.Client) -> None:
    sb.faults.append(Fault(kind="server_error", status=502, times=3))
    statuses = [http.get(PROFILE) for _ in range(4)]
    assert [r.status_code for r in statuses] == [502, 502, 502, 200]
    assert statuses[0].content == b"" and "x-xblcorrelationid" in statuses[0].headers


def test_429_with_and_without_retry_after(sb: Sandbox, http: httpx.Client) -> None:
    sb.faults += [Fault(kind="rate_limited"), Fault(kind="rate_limited", retry_after=7),
                  Fault(kind="rate_limited_no_retry_after")]
    first, second, third = (http.get(PROFILE) for _ in range(3))
    assert first.status_code == second.status_code == third.status_code == 429
    assert first.headers["Retry-After"] == "1" and second.headers["Retry-After"] == "7"
    assert "Retry-After" not in third.headers
    assert first.headers["content-type"] == "application/json"
    assert first.json() == {"version": 1, "currentRequests": 11, "maxRequests": 10,
                            "periodInSeconds": 15, "type": "burst"}  # profile's burst limit


def test_a_reset_before_the_response(sb: Sandbox, http: httpx.Client) -> None:
    sb.faults.append(Fault(kind="reset"))
    result = outcome(http)
    assert result[0] == "failed" and issubclass(result[1], ERRORS), result
    assert http.get(PROFILE).status_code == 200  # a new connection, served as normal


def test_a_reset_request_was_served_first() -> None:
    """A reset loses the answer of a request the server did handle (and counted)."""
    sb = Sandbox(seed=0)
    with sb.serve() as served, httpx.Client(base_url=served.base_url, timeout=10, headers={
            "Authorization": sb.authorization_for()}) as client:
        sb.faults.append(Fault(kind="reset"))
        assert outcome(client)[0] == "failed"
        sb.faults.append(Fault(kind="server_error"))
        assert client.get(PROFILE).status_code == 503
    assert len(sb.limiter.sustain[(JOE_XUID, "profile")]) == 1  # the reset one only


def test_a_reset_mid_body(sb: Sandbox, http: httpx.Client) -> None:
    url, data = media_url(sb)
    sb.faults.append(Fault(kind="reset_mid_body", at=30_000))
    kind, status, error, got = outcome(http, url)
    assert (kind, status) == ("broken", 200) and issubclass(error, ERRORS)
    assert got <= 30_000 < len(data)  # a reset may also drop bytes still in flight


def test_a_truncated_body(sb: Sandbox, http: httpx.Client) -> None:
    url, data = media_url(sb)
    sb.faults.append(Fault(kind="truncated", at=30_000))
    with http.stream("GET", url) as response:
        assert response.headers["content-length"] == str(len(data))  # the full length promised
        got = b""
        with pytest.raises(httpx.RemoteProtocolError):
            for chunk in response.iter_raw():
                got += chunk
    assert got == data[:30_000]
    sb.faults.append(Fault(kind="truncated"))  # default: half the body
    assert outcome(http, url)[2:] == (httpx.RemoteProtocolError, len(data) // 2)


def test_invalid_json_with_200(sb: Sandbox, http: httpx.Client) -> None:
    sb.faults.append(Fault(kind="invalid_json"))
    response = http.get(PROFILE)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_an_html_page_with_200(sb: Sandbox, http: httpx.Client) -> None:
    sb.faults.append(Fault(kind="html"))
    response = http.get(PROFILE)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>")
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_a_corrupt_gzip_body(sb: Sandbox, http: httpx.Client) -> None:
    sb.faults.append(Fault(kind="corrupt_gzip"))
    with pytest.raises(httpx.DecodingError):
        http.get(PROFILE)
    assert http.get(PROFILE).json()["profileUsers"][0]["id"] == JOE_XUID


def test_an_expired_signature_for_a_valid_url(sb: Sandbox, http: httpx.Client) -> None:
    url, data = media_url(sb)
    sb.faults.append(Fault(kind="expired_signature", host=CLIP_DOWNLOAD_HOST))
    refused = http.get(url)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/xml"
    assert refused.headers["x-ms-error-code"] == "AuthenticationFailed"
    assert "<Code>AuthenticationFailed</Code>" in refused.text
    assert http.get(url).content == data  # the URL itself was fine


def test_a_content_length_shorter_than_the_body(sb: Sandbox, http: httpx.Client) -> None:
    whole = http.get(PROFILE).content
    sb.faults.append(Fault(kind="content_length_short"))
    assert outcome(http) == ("ok", 200, whole[:len(whole) // 2])
    sb.faults.append(Fault(kind="content_length_short", content_length=5))
    assert outcome(http) == ("ok", 200, whole[:5])
    assert http.get(PROFILE).content == whole  # the next connection is clean


def test_a_content_length_longer_than_the_body(sb: Sandbox, http: httpx.Client) -> None:
    whole = http.get(PROFILE).content
    sb.faults.append(Fault(kind="content_length_long"))
    with http.stream("GET", PROFILE) as response:
        assert response.headers["content-length"] == str(len(whole) + 1024)
        got = b""
        with pytest.raises(httpx.RemoteProtocolError):
            for chunk in response.iter_raw():
                got += chunk
    assert got == whole  # every real byte arrived; the promise was the lie


def test_a_hang_before_the_headers_ends_by_its_bound(sb: Sandbox, http: httpx.Client) -> None:
    sb.faults.append(Fault(kind="hang_headers", seconds=0.5))
    start = time.monotonic()
    result = outcome(http)  # the client would wait 10 s: the server gives up first
    assert result == ("failed", httpx.RemoteProtocolError)
    assert time.monotonic() - start >= 0.5


def test_a_hang_meets_the_clients_read_timeout(sb: Sandbox, served: ServedSandbox) -> None:
    sb.faults.append(Fault(kind="hang_headers", seconds=MAX_PAUSE_SECONDS))
    with httpx.Client(base_url=served.base_url, timeout=httpx.Timeout(10, read=0.3), headers={
            "Authorization": sb.authorization_for()}) as client:
        assert outcome(client) == ("failed", httpx.ReadTimeout)


def test_stopping_the_server_ends_a_hang() -> None:
    sb = Sandbox(seed=0, rate_limits=False)
    with sb.serve() as served:
        sb.faults.append(Fault(kind="hang_body", seconds=MAX_PAUSE_SECONDS))
        with httpx.Client(base_url=served.base_url, timeout=httpx.Timeout(10, read=0.3),
                          headers={"Authorization": sb.authorization_for()}) as client:
            assert outcome(client) == ("broken", 200, httpx.ReadTimeout, 0)
        start = time.monotonic()
    assert time.monotonic() - start < MAX_PAUSE_SECONDS / 2  # not the whole minute


def test_a_hang_after_the_headers(sb: Sandbox, http: httpx.Client) -> None:
    sb.faults.append(Fault(kind="hang_body", seconds=0.5))
    start = time.monotonic()
    assert outcome(http) == ("broken", 200, httpx.RemoteProtocolError, 0)
    assert time.monotonic() - start >= 0.5


def test_a_slow_drip(sb: Sandbox, http: httpx.Client) -> None:
    whole = http.get(PROFILE).content
    rate = max(10, int(len(whole) / 0.6))  # about 0.6 s for the body
    step = rate // 10
    sb.faults.append(Fault(kind="slow_drip", rate=rate))
    chunks: list[bytes] = []
    start = time.monotonic()
    with http.stream("GET", PROFILE) as response:
        chunks.extend(response.iter_raw())
    took = time.monotonic() - start
    assert b"".join(chunks) == whole and len(chunks) > 1
    # The last chunk leaves at (len - step) / rate at the earliest.
    assert took >= (len(whole) - step) / rate - 0.01


def test_a_delay(sb: Sandbox, http: httpx.Client) -> None:
    sb.faults.append(Fault(kind="delay", seconds=0.3))
    start = time.monotonic()
    assert http.get(PROFILE).status_code == 200
    assert time.monotonic() - start >= 0.3


@pytest.mark.parametrize("where", ["served", "in-process"])
def test_body_faults_on_a_head_leave_its_headers(where: str, sb: Sandbox, http: httpx.Client,
                                                  local: httpx.Client) -> None:
    client = http if where == "served" else local
    url, data = media_url(sb)
    for kind in (FaultKind.TRUNCATED, FaultKind.RESET_MID_BODY, FaultKind.HANG_BODY):
        sb.faults.append(quick(kind))
        head = client.head(url)
        assert head.status_code == 200 and head.headers["content-length"] == str(len(data)), kind
    sb.faults.append(Fault(kind="content_length_long"))
    assert client.head(url).headers["content-length"] == str(len(data) + 1024)
    sb.faults.append(Fault(kind="reset"))
    with pytest.raises(ERRORS):
        client.head(url)


def test_a_transport_error_is_a_reset_on_the_socket(sb: Sandbox, http: httpx.Client) -> None:
    sb.faults.append(Fault(error=httpx.ConnectError))
    result = outcome(http)
    assert result[0] == "failed" and issubclass(result[1], ERRORS)


@pytest.mark.parametrize("kind", list(FaultKind))
def test_after_any_fault_the_server_serves_as_normal(kind: FaultKind, sb: Sandbox,
                                                     http: httpx.Client) -> None:
    sb.faults.append(quick(kind))
    outcome(http)
    after = http.get(PROFILE)
    assert after.status_code == 200 and after.json()["profileUsers"][0]["id"] == JOE_XUID
    assert sb.faults[0].times == 0


# -- in-process: the same faults, as the mock transport shows them ---------------------------

def _shape(result: tuple[Any, ...]) -> tuple[Any, ...]:
    """What must agree between in-process and the socket (a reset may lose bytes in flight)."""
    if result[0] == "broken" and issubclass(result[2], httpx.ReadError):
        return result[:3]
    return result


@pytest.mark.parametrize("kind", [k for k in FaultKind if k not in (
    FaultKind.TRANSPORT_ERROR,  # in-process: the error class given; on the socket: a reset
)])
def test_in_process_and_on_the_socket_agree(kind: FaultKind, sb: Sandbox, http: httpx.Client,
                                            local: httpx.Client) -> None:
    url = media_url(sb)[0] if kind is FaultKind.RESET_MID_BODY else PROFILE
    sb.faults.append(quick(kind))
    on_socket = outcome(http, url)
    sb.faults.append(quick(kind))
    in_process = outcome(local, url)
    if kind in (FaultKind.SERVER_ERROR, FaultKind.RATE_LIMITED, FaultKind.RATE_LIMITED_NO_RETRY_AFTER,
                FaultKind.EXPIRED_SIGNATURE):
        # Made-up answers carry a fresh correlation id (or request id) each time.
        assert on_socket[:2] == in_process[:2]
    else:
        assert _shape(on_socket) == _shape(in_process)


def test_in_process_a_hang_is_the_clients_timeout_at_once(sb: Sandbox) -> None:
    sb.faults += [Fault(kind="hang_headers"), Fault(kind="hang_headers")]
    with httpx.Client(base_url=sb.base_url, transport=sb.transport(), timeout=0.1) as short:
        assert outcome(short) == ("failed", httpx.ReadTimeout)
    with httpx.Client(base_url=sb.base_url, transport=sb.transport(), timeout=None) as patient:
        assert outcome(patient) == ("failed", httpx.RemoteProtocolError)


def test_in_process_a_transport_error_raises_its_class(sb: Sandbox, local: httpx.Client) -> None:
    sb.faults.append(Fault(error=httpx.ConnectTimeout))
    with pytest.raises(httpx.ConnectTimeout):
        local.get(PROFILE)


def test_in_process_truncation_cuts_the_encoded_bytes(sb: Sandbox) -> None:
    """A gzip body is cut as sent (compressed), not as decoded."""
    path = f"/titlehub.xboxlive.com/users/xuid({JOE_XUID})/titles/titlehistory/decoration/achievement"
    sb.faults.append(Fault(kind="truncated", at=40, host="titlehub.xboxlive.com"))
    with httpx.Client(base_url=sb.base_url, transport=sb.transport(), headers={
            "Authorization": sb.authorization_for(), "x-xbl-contract-version": "2"}) as client, \
            client.stream("GET", path) as response:
        assert response.headers["content-encoding"] == "gzip"
        got = b""
        with pytest.raises(httpx.RemoteProtocolError):
            for chunk in response.iter_raw():
                got += chunk
    assert len(got) == 40 and got[:2] == b"\x1f\x8b"  # the gzip magic: compressed bytes


async def test_in_process_faults_reach_async_clients(sb: Sandbox) -> None:
    url, data = media_url(sb)
    sb.faults.append(Fault(kind="reset_mid_body", at=1000))
    async with httpx.AsyncClient(base_url=sb.base_url, transport=sb.transport()) as client:
        got = b""
        async with client.stream("GET", url) as response:
            with pytest.raises(httpx.ReadError):
                async for chunk in response.aiter_raw():
                    got += chunk
    assert got == data[:1000]
