"""The sandbox's own rate-limit table and limiter: published rows, counting, 429s, scaling.

The sandbox's table (``xbox.sandbox.limits``) is written independently of the client's
(``xbox._core.limits``). One test here compares the two on the rows Microsoft publishes;
everything else about the limiter is checked against spec §5 directly.
"""

from __future__ import annotations

import httpx
import pytest

from xbox._core import limits as client_limits
from xbox.sandbox import Sandbox
from xbox.sandbox._http import ROUTES
from xbox.sandbox.limits import FGRL_DOC, TABLE, Limit, RateLimits, format_seconds, is_write

PROFILE = "/profile.xboxlive.com/users/me/profile/settings?settings=Gamertag"


def test_published_rows_agree_with_the_client() -> None:
    """The one place both tables meet: where Microsoft publishes a limit, both sides must say
    the same numbers. Rows that are each side's own assumption may differ."""
    published = {name: row for name, row in TABLE.items() if row.published}
    shared = published.keys() & client_limits.PUBLISHED.keys()
    # The client's published services are all here (the comparison is not vacuous).
    assert {"profile", "social", "presence", "achievements", "userstats", "privacy",
            "clubhub"} <= shared
    for name in sorted(shared):
        read, write = client_limits.PUBLISHED[name]
        row = published[name]
        assert (row.read.burst, row.read.sustain) == (read.burst, read.sustain), name
        assert (row.write.burst, row.write.sustain) == (write.burst, write.sustain), name
    assert client_limits.BURST_SECONDS == 15.0 and client_limits.SUSTAIN_SECONDS == 300.0


def test_every_row_says_where_it_comes_from() -> None:
    for row in TABLE.values():
        if row.published:
            assert row.source is not None and FGRL_DOC in row.source
        else:
            assert row.note, f"{row.service}: an assumption must say why"
    # Spec §5: these have no published limit; the sandbox's values are its own choice.
    for name in ("gameclips", "screenshots", "mediahub", "peoplehub", "titlehub", "usersearch"):
        assert not TABLE[name].published
    assert TABLE["presence"].read == Limit(10, 100) and TABLE["presence"].write == Limit(3, 30)


def test_every_rate_limited_route_has_a_row() -> None:
    """A route naming a service the table lacks would be silently unlimited."""
    named = {rt.service for rt in ROUTES if rt.service is not None}
    assert named, "no route is rate limited?"
    assert named <= TABLE.keys(), named - TABLE.keys()


def test_writes_are_put_patch_delete() -> None:
    assert not is_write("GET") and not is_write("POST")
    assert is_write("PUT") and is_write("patch") and is_write("DELETE")
    limits = RateLimits()
    assert limits.limit_for("presence", "GET").burst == 10  # type: ignore[union-attr]
    assert limits.limit_for("presence", "PUT").burst == 3  # type: ignore[union-attr]
    assert limits.limit_for("nothing-like-it") is None


def _client(sb: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                        headers={"Authorization": sb.authorization_for()})


def test_retry_after_names_the_window_that_frees_up_last() -> None:
    """Over both windows at once, honouring Retry-After must be enough: the answer is the
    window that frees up last, not the first one checked."""
    t = [1_000_000.0]
    sb = Sandbox(seed=0, clock=lambda: t[0], limits={"profile": Limit(1, 3)})
    http = _client(sb)

    def at(offset: float) -> httpx.Response:
        t[0] = 1_000_000.0 + offset
        return http.get(PROFILE)

    assert at(0).status_code == 200
    assert at(1).status_code == 429  # over burst; still counts toward sustain
    assert at(298).status_code == 200  # sustain holds 0, 1, 298
    both = at(299)  # sustain: 4 > 3 (free at 301); burst: 298 is recent (free at 313)
    assert both.status_code == 429
    assert both.json() == {"version": 1, "currentRequests": 2, "maxRequests": 1,
                           "periodInSeconds": 15, "type": "burst"}
    assert both.headers["Retry-After"] == "14"
    assert at(299 + 14).status_code == 200
    assert sb.limiter.rejected == 2


def test_scaled_windows() -> None:
    t = [1_000_000.0]
    sb = Sandbox(seed=0, clock=lambda: t[0], rate_limit_scale=0.01)
    limit = sb.limits_for("profile")
    assert limit is not None
    assert (limit.burst, limit.sustain) == (10, 30)
    assert limit.burst_seconds == pytest.approx(0.15) and limit.sustain_seconds == pytest.approx(3)
    http = _client(sb)
    assert [http.get(PROFILE).status_code for _ in range(10)] == [200] * 10
    refused = http.get(PROFILE)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "0.15"
    assert refused.json()["periodInSeconds"] == 0.15 and refused.json()["type"] == "burst"
    t[0] += 0.1
    late = http.get(PROFILE)
    assert late.status_code == 429 and late.headers["Retry-After"] == "0.05"
    t[0] += 0.05
    assert http.get(PROFILE).status_code == 200
    # The sustain window is 3 s: 30 per 3 s. One request per 0.02 s stays under burst.
    t[0] = 2_000_000.0
    sb = Sandbox(seed=0, clock=lambda: t[0], rate_limit_scale=0.01)
    http = _client(sb)
    statuses = []
    for i in range(31):
        t[0] = 2_000_000.0 + i * 0.02
        statuses.append(http.get(PROFILE))
    assert [r.status_code for r in statuses] == [200] * 30 + [429]
    assert statuses[-1].json() == {"version": 1, "currentRequests": 31, "maxRequests": 30,
                                   "periodInSeconds": 3, "type": "sustain"}
    # Room again once the second request (at 0.02 s) leaves the 3 s window.
    assert float(statuses[-1].headers["Retry-After"]) == pytest.approx(3.02 - 0.6, abs=0.002)


def test_unscaled_retry_after_is_whole_seconds() -> None:
    assert format_seconds(0.2, 1.0) == "1"
    assert format_seconds(13.01, 1.0) == "14"
    assert format_seconds(0.1371, 0.01) == "0.138"
    assert format_seconds(0.0, 0.01) == "0.001"
    assert format_seconds(2.0, 0.01) == "2"


@pytest.mark.parametrize("scale", [0, -1, float("inf"), float("nan")])
def test_a_scale_must_be_positive(scale: float) -> None:
    with pytest.raises(ValueError, match="rate_limit_scale"):
        Sandbox(rate_limit_scale=scale)


def test_the_clients_limit_type_is_accepted_as_an_override() -> None:
    sb = Sandbox(limits={"profile": client_limits.Limit(2, 12)})
    limit = sb.limits_for("profile", "PUT")
    assert limit is not None and (limit.burst, limit.sustain) == (2, 12)


def test_an_override_must_allow_a_request() -> None:
    with pytest.raises(ValueError, match="at least one request"):
        Sandbox(limits={"profile": Limit(0, 30)})


# -- presence: reads and writes count apart (FGRL: read 10/100, write 3/30) --------------------

PRESENCE = "/userpresence.xboxlive.com"
PRESENCE_V3 = {"x-xbl-contract-version": "3", "Accept": "application/json"}


def _presence_client(sb: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                        headers={"Authorization": sb.authorization_for(), **PRESENCE_V3})


def _write(http: httpx.Client, sb: Sandbox) -> httpx.Response:
    return http.put(f"{PRESENCE}/users/xuid({sb.world.joe.xuid})/state", json={"state": "Active"})


def test_presence_reads_do_not_use_up_the_write_budget() -> None:
    """python-xbox reads its own presence three times, then sets it: the write is allowed,
    as reads (10 per 15 s) and writes (3 per 15 s) have counters of their own."""
    t = [0.0]
    sb = Sandbox(seed=0, clock=lambda: t[0])
    with _presence_client(sb) as http:
        for _ in range(3):
            assert http.get(f"{PRESENCE}/users/me", params={"level": "all"}).status_code == 200
        assert _write(http, sb).status_code == 200
        # ...and the write budget is still the writes' own: two more, then the fourth is over.
        assert [_write(http, sb).status_code for _ in range(3)] == [200, 200, 429]
        # Writes leave the reads alone: seven more reads make ten in the window.
        assert [http.get(f"{PRESENCE}/users/me").status_code for _ in range(7)] == [200] * 7
        over = http.get(f"{PRESENCE}/users/me")
    assert over.status_code == 429
    assert over.json() == {"version": 1, "currentRequests": 11, "maxRequests": 10,
                           "periodInSeconds": 15, "type": "burst"}


def test_presence_write_429_names_the_write_limit() -> None:
    t = [0.0]
    sb = Sandbox(seed=0, clock=lambda: t[0])
    with _presence_client(sb) as http:
        statuses = [_write(http, sb) for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert statuses[-1].json()["maxRequests"] == 3
    assert statuses[-1].headers["Retry-After"] == "15"


def test_a_service_with_one_limit_shares_its_counter() -> None:
    """Where the table gives reads and writes the same limit (social: 10/30), a follow and a
    read count in the same window, as the FGRL doc's single row says."""
    t = [0.0]
    sb = Sandbox(seed=0, clock=lambda: t[0])
    friend = sb.world.joe.friends[0]
    with httpx.Client(base_url=sb.base_url, transport=sb.transport(),
                      headers={"Authorization": sb.authorization_for(),
                               "x-xbl-contract-version": "2"}) as http:
        for _ in range(9):
            assert http.get("/social.xboxlive.com/users/me/summary").status_code == 200
        assert http.put(f"/social.xboxlive.com/users/me/people/xuid({friend})").status_code == 204
        assert http.get("/social.xboxlive.com/users/me/summary").status_code == 429
