"""Which ``x-xbl-contract-version`` each service answers, in one table, with the evidence.

Xbox Live routes a request by its contract version: a service answers the versions its
callers are seen to send, and refuses the rest. This table is the sandbox's whole knowledge of
that, one row per service (docs/sandbox.rst renders it). Each version maps to the *shape* the
service answers it with (``"v3"``, ``"360"``...): services read the shape, never the raw
number, so two versions that answer alike name the same shape.

The evidence, in order of weight: recordings (``tests/fixtures/recorded*``), then the clients
that work against Xbox Live today and send a version (python-xbox 0.4.0, xbox-webapi 2.1,
XboxReplay's xboxlive-api and other Node clients, each named per row), then Microsoft's REST
reference. A request without the header is served at the row's default (the reference says
the header is required, but the 2014 client sent none to gameclips and got a 200).

**The refusal.** Microsoft's list of the status codes every Xbox Live service returns gives
406 Not Acceptable for "resource version is not supported" (Xbox Live REST reference,
"Standard HTTP status codes"). No recording or public report shows the body of one, so the
sandbox answers with an empty body (``content-length: 0``): an assumption, listed in
docs/sandbox.rst.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["CONTRACTS", "REFUSAL_SOURCE", "REFUSAL_STATUS", "Contract"]

#: The status an unserved version gets, and where that status is documented.
REFUSAL_STATUS = 406
REFUSAL_SOURCE = ("Xbox Live REST reference, 'Standard HTTP status codes': 406 Not Acceptable, "
                  "'Resource version is not supported' (the body is unrecorded: empty)")


@dataclass(frozen=True)
class Contract:
    """One service's contract versions.

    Attributes:
        service: the name routes use (``xbox.sandbox.limits``'s service names, or a finer
            one where a host has two contracts: ``account-reserve``).
        hosts: the hosts it answers on.
        versions: each served version and the shape it selects.
        default: the version a request without the header is answered as.
        sources: per version (or group of versions), who is seen sending it.
    """

    service: str
    hosts: tuple[str, ...]
    versions: Mapping[str, str]
    default: str
    sources: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.default not in self.versions:
            raise ValueError(f"{self.service}: the default {self.default!r} is not served")

    def shape(self, header: str | None) -> str | None:
        """The shape a request's header selects (the default without one), None if unserved."""
        raw = (header or "").strip()
        return self.versions.get(raw or self.default)


_ROWS = (
    Contract("profile", ("profile.xboxlive.com",), {"2": "v2", "3": "v3"}, "3", (
        "2: the 2014 library and xbox-webapi 1.x (2014 and 2018 recordings, spec §2); "
        "XboxReplay xboxlive-api 3.4 on /users/{gt|xuid}(X)/settings (its end-to-end test "
        "against Xbox Live, 2021)",
        "3: xbox-webapi 2.1, python-xbox 0.4.0 (profile_by_*.json)")),
    Contract("achievements", ("achievements.xboxlive.com",),
             {"1": "360", "2": "one", "3": "360+rarity", "4": "one+rarity", "5": "one+rarity"},
             "2", (
                 "1 (Xbox 360), 2 (Xbox One): xbox-webapi 2.1 (achievements_*.json)",
                 "3 (Xbox 360), 4 (Xbox One): python-xbox 0.4.0; achievements-app "
                 "(fetchTitleAchievements: 3 legacy, 4 modern; both models carry rarity)",
                 "5: community code (spec, 'What real clients send today'), answered as 4")),
    Contract("presence", ("userpresence.xboxlive.com",), {"3": "v3"}, "3", (
        "3: xbox-webapi 2.1, python-xbox 0.4.0, Microsoft's REST reference",)),
    Contract("peoplehub", ("peoplehub.xboxlive.com",), {"3": "v3", "5": "v7", "7": "v7"}, "3", (
        "3: xbox-webapi 2.1 (people_*.json, 2018-20)",
        "5: a community client, answered as 7",
        "7: python-xbox 0.4.0 (people_*.json, 2025-26)")),
    Contract("social", ("social.xboxlive.com",), {"1": "v1", "2": "v2", "5": "v2"}, "2", (
        "1: the 2018 recordings (people_summary_*.json)",
        "2: xbox-webapi 2.1, python-xbox 0.4.0 (people_summary_*.json, 2025)",
        "5: a community client (follow and unfollow)")),
    Contract("titlehub", ("titlehub.xboxlive.com",), {"2": "v2"}, "2", (
        "2: the Xbox app's headers as both peers send them (titlehub_*.json)",)),
    Contract("userstats", ("userstats.xboxlive.com",), {"1": "v1", "2": "v2", "3": "v3"}, "2", (
        "2: both peers (userstats_*.json)",
        "1: no client seen sending it; served as before (assumption)",
        "3: both peers' include=valuemetadata request (userstats_by_scid_with_metadata.json)")),
    Contract("gameclips", ("gameclipsmetadata.xboxlive.com",), {"1": "v1", "2": "v1"}, "1", (
        "1: xbox-webapi 2.1, python-xbox 0.4.0 (gameclips_*.json, 2018 and 2025)",
        "2: XboxReplay xboxlive-api 3.4 (its default version; its end-to-end test against "
        "Xbox Live, 2021), other Node clients (spec §3)",
        "none: the 2014 library (2014 recordings)")),
    Contract("screenshots", ("screenshotsmetadata.xboxlive.com",),
             {"1": "v5", "2": "v5", "5": "v5"}, "5", (
                 "5: xbox-webapi 2.1, python-xbox 0.4.0, Node clients (screenshots_*.json)",
                 "2: XboxReplay xboxlive-api 3.4 (end-to-end test against Xbox Live, 2021)",
                 "1: the 2025 re-recording's requests (spec, 'Since 2025')")),
    Contract("mediahub", ("mediahub.xboxlive.com",), {"2": "v3", "3": "v3"}, "3", (
        "3: xbox-webapi 2.1, python-xbox 0.4.0, Node clients (mediahub_*_own.json)",
        "2: XboxReplay xboxlive-api 3.4 (end-to-end test against Xbox Live, 2021)")),
    Contract("smartglass", ("xccs.xboxlive.com",), {"3": "v3", "4": "v4"}, "4", (
        "4: both peers' console lists and commands (smartglass_*.json)",
        "3: both peers' /opStatus (smartglass_op_status.json)")),
    Contract("messaging", ("xblmessaging.xboxlive.com",), {"1": "v1", "2": "v2"}, "1", (
        "1: both peers (message_*.json)", "2: both peers' conversation horizon")),
    Contract("eplists", ("eplists.xboxlive.com",), {"2": "v2"}, "2", (
        "2: both peers (lists_get_items.json, list_*_item.json)",)),
    Contract("account-reserve", ("user.mgt.xboxlive.com", "gamertag.xboxlive.com"), {"1": "v1"},
             "1", ("1: both peers' gamertag reservation",)),
    Contract("account-change", ("accounts.xboxlive.com",), {"2": "v2", "3": "v3", "6": "v6"},
             "2", ("2: both peers", "3, 6: community gamertag tools (previewOnly, classicGamertag bodies)")),
    Contract("cqs", ("cqs.xboxlive.com",), {"1.b": "1.b"}, "1.b", (
        "1.b: both peers (cqs_*.json)",)),
    Contract("title-mgt", ("title.mgt.xboxlive.com",), {"1": "v1"}, "1", (
        "1: both peers' XALManager.get_title_endpoints (auth_title_endpoints.json)",)),
)

#: Every service's row, by service name.
CONTRACTS: dict[str, Contract] = {row.service: row for row in _ROWS}
