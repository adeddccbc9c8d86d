"""Every recorded body, and the request its client made: the table the fidelity tests run.

Each file of tests/fixtures/recorded/ (2018-22, made by xbox-webapi-python; the sandbox's
``--era 2018``) and tests/fixtures/recorded-2025/ (2025-26, made by python-xbox 0.4.0; today's
era) has one row here. A row is the request that client sends for it (method, URL, query,
headers, contract version and body, from the client's provider) with the recording's own ids
replaced by ids of the sandbox's world, or a sign-in flow for the bodies a sign-in step answers,
or the reason a file is no response body at all. ``tests/sandbox/test_recordings.py`` sends
each request to a sandbox of the recording's era and compares the answer with the file, key
for key and type for type; a file with no row fails there, so a new recording cannot go
untested.

Ids in URLs and bodies are ``{placeholders}`` filled from the world (:func:`placeholders`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.fidelity import recorded_2025
from xbox.sandbox import Sandbox

#: The wire era each folder's recordings belong to.
ERA_OF = {"recorded": "2018", "recorded-2025": "2025"}

# Values a recording happens to hold as null where the sandbox has one, or the other way
# round (a player last seen long ago, a friend added on a date, the last page of a list).
PEOPLE_NULLABLE = frozenset({"lastSeenDateTimeUtc", "addedDateTimeUtc", "PresenceText",
                             "TitleName", "TitleId", "isCloaked"})
PAGE_NULLABLE = frozenset({"continuationToken"})
ACHIEVEMENT_NULLABLE = frozenset({"current", "continuationToken"})
TITLEHUB_NULLABLE = frozenset({"applicablePlatforms", "maximum", "minimum", "releaseDate",
                               "bingId"})
CATALOG_NULLABLE = frozenset({"ProductKind", "CollectionId"})

# Someone in a party chat: the blocks python-xbox's 2025 recording of one's own friends shows
# on one friend. The other contract-7 recordings happen to hold nobody in a party, so there
# the blocks are allowed, in the recorded shape (an assumption: a person is the same object
# in every peoplehub answer).
PARTY = {key: value for key, value in
         recorded_2025("people_friends_own.json")["people"][0]["multiplayerSummary"].items()
         if key in ("joinableActivities", "partyDetails")}

FOUR = "preferredcolor,detail,multiplayersummary,presencedetail"  # xbox-webapi 2.1
FOUR_7 = "preferredColor,detail,multiplayerSummary,presenceDetail"  # python-xbox 0.4.0


@dataclass(frozen=True)
class Call:
    """One API request as its client sends it, signed in as JoeAlcorn.

    ``url`` is the real ``https://HOST/PATH``; ``params`` are sent as the client's query.
    """

    method: str
    url: str
    headers: dict[str, str]
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    nullable: frozenset[str] = frozenset()
    client: str = ""
    optional: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Flow:
    """A sign-in step: ``run(sandbox, http)`` makes the steps before it and returns the
    answer to the recorded one. ``http`` is an unauthenticated client of the sandbox."""

    run: Callable[[Sandbox, httpx.Client], httpx.Response]
    client: str = ""
    nullable: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NotABody:
    """A fixture that is no response body (a key, test vectors): nothing to serve."""

    reason: str


@dataclass(frozen=True)
class NotServedHere:
    """A recording of a service another part of the work serves; the test expects a failure
    until it is served (a strict xfail, so that serving it is noticed)."""

    request: Call
    reason: str


Row = Call | Flow | NotABody | NotServedHere


def placeholders(sb: Sandbox) -> dict[str, str]:
    """The world's ids for the ``{names}`` in the table's URLs and bodies."""
    world = sb.world
    joe = world.joe
    mutual = [x for x in joe.friends if joe.xuid in world.by_xuid[x].friends]
    offline_seen = [a for a in world.accounts
                    if a.presence_state != "Online" and a.last_seen_title is not None]
    playing = [a for a in world.accounts if a is not joe and a.presence_state == "Online"
               and a.last_seen_title is not None]
    halo5 = next(t for t in world.titles if t.title_id == 219630713)
    stranger = next(a for a in world.accounts
                    if a is not joe and a.xuid not in joe.friends and a.xerr is None)
    return {
        "me": joe.xuid, "gamertag": joe.gamertag,
        "friend": mutual[0], "friend2": mutual[1], "friend3": mutual[2],
        "friend_gamertag": world.by_xuid[mutual[0]].gamertag,
        "offline_seen": offline_seen[0].xuid, "offline_seen2": offline_seen[1].xuid,
        "playing": playing[0].xuid, "stranger": stranger.xuid,
        "halo5": str(halo5.title_id), "halo5_scid": halo5.scid,
        "hexic": "1297290392", "sea_of_thieves": "1717113201",
    }


# -- the requests the clients send ------------------------------------------------------------

WEBAPI = "xbox-webapi 2.1"
PYXBOX = "python-xbox 0.4.0"


def _clips(saved: bool, who: str, title: bool, client: str) -> Call:
    """A gameclipsmetadata list as both peers' ``GameclipProvider`` asks for it."""
    if who == "community":
        url = "https://gameclipsmetadata.xboxlive.com/public/titles/{halo5}/clips"
        params = {"qualifier": "created"}
    else:
        owner = "me" if who == "own" else "xuid({friend})"
        url = f"https://gameclipsmetadata.xboxlive.com/users/{owner}"
        url += "/titles/{halo5}" if title else ""
        params = {"skipItems": "0", "maxItems": "25"}
        url += "/clips"
    if saved:
        url += "/saved"
    return Call("GET", url, {"x-xbl-contract-version": "1"}, params,
                nullable=PAGE_NULLABLE, client=client)


def _shots(saved: bool, who: str, title: bool, client: str) -> Call:
    """A screenshotsmetadata list as both peers' ``ScreenshotsProvider`` asks for it."""
    host = "https://screenshotsmetadata.xboxlive.com"
    if who == "community":
        url = host + "/public/titles/{halo5}/screenshots"
        params = {"qualifier": "created"}
    else:
        owner = "me" if who == "own" else "xuid({friend})"
        url = f"{host}/users/{owner}" + ("/titles/{halo5}" if title else "") + "/screenshots"
        params = {"skipItems": "0", "maxItems": "25"}
    if saved:
        url += "/saved"
    return Call("GET", url, {"x-xbl-contract-version": "5"}, params,
                nullable=PAGE_NULLABLE, client=client)


def _captures(folder_client: str) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    for saved in (False, True):
        for who in ("own", "xuid", "community"):
            for title in ((False, True) if who != "community" else (False,)):
                name = f"{'saved' if saved else 'recent'}_{who}{'_titleid' if title else ''}"
                rows[f"gameclips_{name}.json"] = _clips(saved, who, title, folder_client)
                rows[f"screenshots_{name}.json"] = _shots(saved, who, title, folder_client)
    return rows


ACH = "https://achievements.xboxlive.com/users/xuid({me})"
# xbox-webapi 2.1's ProfileProvider: the single look-ups' 15 settings, the batch's 14 (the
# recordings answer them in this order).
PROFILE_SETTINGS_V3 = ("Gamertag,ModernGamertag,ModernGamertagSuffix,UniqueModernGamertag,"
                       "RealNameOverride,Bio,Location,Gamerscore,GameDisplayPicRaw,TenureLevel,"
                       "AccountTier,XboxOneRep,PreferredColor,Watermarks,IsQuarantined")
PROFILE_BATCH = ["GameDisplayName", "AppDisplayName", "AppDisplayPicRaw", "Gamerscore",
                 "Gamertag", "GameDisplayPicRaw", "AccountTier", "TenureLevel", "XboxOneRep",
                 "PreferredColor", "Location", "Bio", "Watermarks", "RealName"]
HUB_V3 = {"x-xbl-contract-version": "3", "Accept-Language": "en-US"}
HUB_V7 = {"x-xbl-contract-version": "7", "Accept-Language": "en-US"}
TITLEHUB = {"x-xbl-contract-version": "2", "x-xbl-client-name": "XboxApp",
            "x-xbl-client-type": "UWA", "x-xbl-client-version": "39.39.22001.0",
            "Accept-Language": "en-US"}
XCCS = {"x-xbl-contract-version": "4", "skillplatform": "RemoteManagement"}
MSG = "https://xblmessaging.xboxlive.com/network/Xbox/users/me"
PINS = "https://eplists.xboxlive.com/users/xuid({me})/lists/PINS/XBLPins"
PIN = {"Items": [{"Locale": "en-US", "ContentType": "DApp", "ItemId": "NEWPIN",
                  "Title": "A new pin", "DeviceType": "XboxOne", "Provider": None,
                  "ProviderId": None, "ImageUrl": None, "AltImageUrl": None,
                  "SubTitle": None, "SubscriptionId": None}]}
STORE = "https://displaycatalog.mp.microsoft.com/v7.0"
STORE_PARAMS = {"languages": "en-US", "market": "US"}
CQS = {"Cache-Control": "no-cache", "Accept": "application/json", "Pragma": "no-cache",
       "x-xbl-client-type": "Companion", "x-xbl-client-version": "2.0",
       "x-xbl-contract-version": "1.b", "x-xbl-device-type": "WindowsPhone",
       "x-xbl-isautomated-client": "true"}


def _profile(kind: str) -> Call:
    url = f"https://profile.xboxlive.com/users/{kind}/profile/settings"
    return Call("GET", url, {"x-xbl-contract-version": "3"}, {"settings": PROFILE_SETTINGS_V3},
                client=WEBAPI)


def _social_summary(who: str, version: str, client: str) -> Call:
    return Call("GET", f"https://social.xboxlive.com/users/{who}/summary",
                {"x-xbl-contract-version": version}, client=client)


# -- sign-in flows ----------------------------------------------------------------------------

AZURE_APP = "388ea51c-0b25-4029-aae2-17df49d23905"  # xbox-webapi's example Azure app id
AZURE_SCOPES = "Xboxlive.signin Xboxlive.offline_access"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def _oauth_tokens(http: httpx.Client) -> httpx.Response:
    """xbox-webapi's AuthenticationManager with its Azure app: the browser sign-in (the
    sandbox's login_hint shortcut stands for the person), the code redeemed, then a refresh.
    (That app is a web app: Microsoft gives it no device code.)"""
    redirect = "http://localhost/auth/callback"
    page = http.get("/login.live.com/oauth20_authorize.srf", params={
        "client_id": AZURE_APP, "response_type": "code", "approval_prompt": "auto",
        "scope": AZURE_SCOPES, "redirect_uri": redirect, "login_hint": "joe@example.org"})
    assert page.status_code == 302, page.text
    code = httpx.URL(page.headers["Location"]).params["code"]
    tokens = http.post("/login.live.com/oauth20_token.srf", data={
        "grant_type": "authorization_code", "code": code, "scope": AZURE_SCOPES,
        "redirect_uri": redirect, "client_id": AZURE_APP})
    assert tokens.status_code == 200, tokens.text
    return http.post("/login.live.com/oauth20_token.srf", data={
        "grant_type": "refresh_token", "scope": AZURE_SCOPES,
        "refresh_token": tokens.json()["refresh_token"], "client_id": AZURE_APP})


def _user_token(http: httpx.Client) -> httpx.Response:
    access = _oauth_tokens(http).json()["access_token"]
    return http.post("/user.auth.xboxlive.com/user/authenticate",
                     headers={"x-xbl-contract-version": "1"},
                     json={"RelyingParty": "http://auth.xboxlive.com", "TokenType": "JWT",
                           "Properties": {"AuthMethod": "RPS",
                                          "SiteName": "user.auth.xboxlive.com",
                                          "RpsTicket": f"d={access}"}})


def _xsts_token(http: httpx.Client) -> httpx.Response:
    user = _user_token(http).json()["Token"]
    return http.post("/xsts.auth.xboxlive.com/xsts/authorize",
                     headers={"x-xbl-contract-version": "1"},
                     json={"RelyingParty": "http://xboxlive.com", "TokenType": "JWT",
                           "Properties": {"UserTokens": [user], "SandboxId": "RETAIL"}})


def _device_token(sb: Sandbox, http: httpx.Client) -> httpx.Response:
    from tests.sandbox.signing import DEVICE_AUTH, Signer, device_body

    signer = Signer()
    return signer.post(http, DEVICE_AUTH, device_body(signer), sb.now())


def _sisu_authenticate(sb: Sandbox, http: httpx.Client) -> httpx.Response:
    from tests.sandbox.signing import (
        SISU_AUTHENTICATE,
        Signer,
        device_token,
        pkce,
        sisu_authenticate_body,
    )

    signer = Signer()
    device = device_token(http, signer, sb.now())["Token"]
    _verifier, challenge = pkce()
    return signer.post(http, SISU_AUTHENTICATE,
                       sisu_authenticate_body(device, challenge, str(uuid.uuid4())), sb.now())


def _sisu_authorize(sb: Sandbox, http: httpx.Client) -> httpx.Response:
    from tests.sandbox.signing import (
        SISU_AUTHORIZE,
        Signer,
        device_token,
        redeem,
        sisu_authorize_body,
        sisu_browser,
    )

    signer = Signer()
    device = device_token(http, signer, sb.now())["Token"]
    browser = sisu_browser(http, signer, device, sb.now())
    tokens = redeem(http, browser.code, browser.verifier)
    return signer.post(http, SISU_AUTHORIZE, sisu_authorize_body(
        tokens.json()["access_token"], device, signer,
        browser.authenticate.headers["X-SessionId"]), sb.now())


# -- the table --------------------------------------------------------------------------------

RECORDED_2018: dict[str, Row] = {
    **_captures(WEBAPI),
    # achievements: xbox-webapi 2.1 sends 1 (Xbox 360) and 2 (Xbox One).
    "achievements_360_all.json": Call(
        "GET", ACH + "/titleachievements", {"x-xbl-contract-version": "1"},
        {"titleId": "{hexic}"}, client=WEBAPI),
    "achievements_360_earned.json": Call(
        "GET", ACH + "/achievements", {"x-xbl-contract-version": "1"},
        {"titleId": "{hexic}"}, client=WEBAPI),
    "achievements_360_recent_progress.json": Call(
        "GET", ACH + "/history/titles", {"x-xbl-contract-version": "1"},
        nullable=PAGE_NULLABLE, client=WEBAPI),
    "achievements_one_details.json": Call(
        "GET", ACH + "/achievements/{halo5_scid}/1", {"x-xbl-contract-version": "2"},
        nullable=ACHIEVEMENT_NULLABLE, client=WEBAPI),
    "achievements_one_gameprogress.json": Call(
        "GET", ACH + "/achievements", {"x-xbl-contract-version": "2"}, {"titleId": "{halo5}"},
        nullable=ACHIEVEMENT_NULLABLE, client=WEBAPI),
    "achievements_one_recent_progress.json": Call(
        "GET", ACH + "/history/titles", {"x-xbl-contract-version": "2"},
        nullable=ACHIEVEMENT_NULLABLE, client=WEBAPI),
    # sign-in
    "auth_oauth2_token.json": Flow(lambda sb, http: _oauth_tokens(http), client=WEBAPI),
    "auth_user_token.json": Flow(lambda sb, http: _user_token(http), client=WEBAPI),
    "auth_xsts_token.json": Flow(lambda sb, http: _xsts_token(http), client=WEBAPI),
    "auth_device_token.json": Flow(_device_token, client=WEBAPI),
    "xal_authentication_resp.json": Flow(_sisu_authenticate, client=WEBAPI),
    "xal_authorization_resp.json": Flow(_sisu_authorize, client=WEBAPI),
    "auth_title_endpoints.json": Call(
        "GET", "https://title.mgt.xboxlive.com/titles/default/endpoints",
        {"x-xbl-contract-version": "1"}, {"type": "1"}, client=WEBAPI),
    "signing_test_key.pem": NotABody("the published test key of xbox-webapi's request signer"),
    "signing_vectors.json": NotABody("the request signer's published test vectors"),
    # the store and TV listings
    "catalog_browse.json": Call(
        "GET", STORE + "/products", {},
        {"actionFilter": "Browse", "bigIds": "C5DTJ99626K3,BT5P2X999VH2",
         "fieldsTemplate": "browse", **STORE_PARAMS}, client=WEBAPI),
    "catalog_browse_details.json": Call(
        "GET", STORE + "/products", {},
        {"actionFilter": "Browse", "bigIds": "C5DTJ99626K3,BT5P2X999VH2",
         "fieldsTemplate": "details", **STORE_PARAMS},
        nullable=CATALOG_NULLABLE, client=WEBAPI),
    "catalog_product_lookup.json": Call(
        "GET", STORE + "/products/lookup", {},
        {"top": "25", "alternateId": "PackageFamilyName", "fieldsTemplate": "details",
         **STORE_PARAMS, "value": "4DF9E0F8.Netflix_mcm4njqhnhss8"},
        nullable=CATALOG_NULLABLE, client=WEBAPI),
    "catalog_product_lookup_legacy.json": Call(
        "GET", STORE + "/products/lookup", {},
        {"top": "25", "alternateId": "LegacyXboxProductId", "fieldsTemplate": "details",
         **STORE_PARAMS, "value": "71e7df12-2d1d-4a2c-8a53-8ed1c1f6b7b1"},
        nullable=CATALOG_NULLABLE, client=WEBAPI),
    "catalog_search.json": Call(
        "GET", STORE + "/productFamilies/autosuggest", {},
        {**STORE_PARAMS, "platformdependencyname": "windows.xbox",
         "productFamilyNames": "Games,Apps", "query": "dest", "topProducts": "5"},
        client=WEBAPI),
    "cqs_get_channel_list.json": Call(
        "GET", "https://cqs.xboxlive.com/epg/en-US/lineups/{headend}/channels", CQS,
        {"desired": "vesper_mobile_lineup"}, client=WEBAPI),
    "cqs_get_schedule.json": Call(
        "GET", "https://cqs.xboxlive.com/epg/en-US/lineups/{headend}/programs", CQS,
        {"startDate": "{epg_start}", "durationMinutes": "60", "channelSkip": "0",
         "channelCount": "5", "desired": "vesper_mobile_schedule"}, client=WEBAPI),
    # pins
    "lists_get_items.json": Call("GET", PINS, {"x-xbl-contract-version": "2",
                                               "Content-Type": "application/json"},
                                 client=WEBAPI),
    "list_add_item.json": Call("POST", PINS, {"x-xbl-contract-version": "2",
                                              "Content-Type": "application/json"},
                               json=PIN, client=WEBAPI),
    "list_delete_item.json": Call("DELETE", PINS, {"x-xbl-contract-version": "2",
                                                   "Content-Type": "application/json"},
                                  json=PIN, client=WEBAPI),
    # mediahub
    "mediahub_gameclips_own.json": Call(
        "POST", "https://mediahub.xboxlive.com/gameclips/search",
        {"x-xbl-contract-version": "3"},
        json={"max": 500, "query": "OwnerXuid eq {me}", "skip": 0}, client=WEBAPI),
    "mediahub_screenshots_own.json": Call(
        "POST", "https://mediahub.xboxlive.com/screenshots/search",
        {"x-xbl-contract-version": "3"},
        json={"max": 500, "query": "OwnerXuid eq {me}", "skip": 0}, client=WEBAPI),
    # messages
    "message_get_inbox.json": Call("GET", MSG + "/inbox", {"x-xbl-contract-version": "1"},
                                   {"maxItems": "100"}, client=WEBAPI),
    "message_get_conversation.json": Call(
        "GET", MSG + "/conversations/users/xuid({inbox_friend})",
        {"x-xbl-contract-version": "1"}, {"maxItems": "100"}, client=WEBAPI),
    "message_new_conversation.json": Call(
        "GET", MSG + "/conversations/users/xuid({stranger})",
        {"x-xbl-contract-version": "1"}, {"maxItems": "100"}, client=WEBAPI),
    "message_send_message.json": Call(
        "POST", MSG + "/conversations/users/xuid({friend})",
        {"x-xbl-contract-version": "1"},
        json={"parts": [{"contentType": "text", "version": 0, "text": "Hi"}]},
        client=WEBAPI),
    # people: peoplehub contract 3 (lower-case decorations), social as xbox-webapi 2.1
    "people_friends_own.json": Call(
        "GET", "https://peoplehub.xboxlive.com/users/me/people/social/decoration/" + FOUR,
        HUB_V3, nullable=PEOPLE_NULLABLE, client=WEBAPI),
    "people_friends_by_xuid.json": Call(
        "GET", "https://peoplehub.xboxlive.com/users/xuid({friend})/people/social/decoration/"
        + FOUR, HUB_V3, nullable=PEOPLE_NULLABLE, client=WEBAPI),
    "people_batch.json": Call(
        "POST", "https://peoplehub.xboxlive.com/users/me/people/batch/decoration/" + FOUR,
        HUB_V3, json={"xuids": ["{friend}", "{friend2}", "{me}"]},
        nullable=PEOPLE_NULLABLE, client=WEBAPI),
    "people_recommendations.json": Call(
        "GET", "https://peoplehub.xboxlive.com/users/me/people/recommendations", HUB_V3,
        nullable=PEOPLE_NULLABLE, client=WEBAPI),
    "people_summary_own.json": _social_summary("me", "2", WEBAPI),
    "people_summary_by_xuid.json": _social_summary("xuid({friend})", "2", WEBAPI),
    "people_summary_by_gamertag.json": _social_summary("gt({friend_gamertag})", "2", WEBAPI),
    # presence
    "presence.json": Call("GET", "https://userpresence.xboxlive.com/users/xuid({offline_seen})",
                          {"x-xbl-contract-version": "3", "Accept": "application/json"},
                          {"level": "user"}, client=WEBAPI),
    "presence_own.json": Flow(lambda sb, http: _own_presence_offline(sb, http), client=WEBAPI),
    "presence_batch.json": Call(
        "POST", "https://userpresence.xboxlive.com/users/batch",
        {"x-xbl-contract-version": "3", "Accept": "application/json"},
        json={"users": ["{offline_seen}", "{offline_seen2}"], "onlineOnly": False,
              "level": "user"}, client=WEBAPI),
    # profile (contract 3)
    "profile_by_gamertag.json": _profile("gt({gamertag})"),
    "profile_by_xuid.json": _profile("xuid({me})"),
    "profile_batch.json": Call(
        "POST", "https://profile.xboxlive.com/users/batch/profile/settings",
        {"x-xbl-contract-version": "3"},
        json={"userIds": ["{friend}", "{friend2}"], "settings": PROFILE_BATCH}, client=WEBAPI),
    # SmartGlass (xccs contract 4; opStatus 3)
    "smartglass_console_list.json": Call(
        "GET", "https://xccs.xboxlive.com/lists/devices", XCCS,
        {"queryCurrentDevice": "false", "includeStorageDevices": "true"}, client=WEBAPI),
    "smartglass_console_status.json": Call(
        "GET", "https://xccs.xboxlive.com/consoles/{console}", XCCS, client=WEBAPI),
    "smartglass_installed_apps.json": Call(
        "GET", "https://xccs.xboxlive.com/lists/installedApps", XCCS,
        {"deviceId": "{console}"}, nullable=frozenset({"titleId", "contentType"}),
        client=WEBAPI),
    "smartglass_storage_devices.json": Call(
        "GET", "https://xccs.xboxlive.com/lists/storageDevices", XCCS,
        {"deviceId": "{console}"}, client=WEBAPI),
    "smartglass_command.json": Call(
        "POST", "https://xccs.xboxlive.com/commands", XCCS,
        json={"destination": "Xbox", "type": "Power", "command": "WakeUp",
              "sessionId": "{session}", "sourceId": "com.microsoft.smartglass",
              "parameters": [{}], "linkedXboxId": "{console}"}, client=WEBAPI),
    "smartglass_op_status.json": Flow(lambda sb, http: _op_status(sb, http), client=WEBAPI),
    # titlehub
    # The history recording's blocks (stats, gamepass, detail, friendswhoplayed) are the Xbox
    # app's decorations, not xbox-webapi's default (achievement,image,scid): asked as recorded.
    "titlehub_titlehistory.json": Call(
        "GET", "https://titlehub.xboxlive.com/users/xuid({me})/titles/titlehistory/decoration/"
        "achievement,stats,gamepass,image,detail,friendswhoplayed,alternatetitleid",
        TITLEHUB, {"maxItems": "5"}, nullable=TITLEHUB_NULLABLE, client=WEBAPI,
        # No recorded history title is streamable; look-ups and batches show the flag on
        # streamable titles (titlehub_titleinfo.json, titlehub_batch.json): assumed here too.
        optional={"isStreamable": True}),
    "titlehub_titleinfo.json": Call(
        "GET", "https://titlehub.xboxlive.com/users/xuid({me})/titles/titleid({sea_of_thieves})"
        "/decoration/achievement,alternateTitleId,detail,image,scid",
        TITLEHUB, nullable=TITLEHUB_NULLABLE, client=WEBAPI),
    "titlehub_batch.json": Call(
        "POST", "https://titlehub.xboxlive.com/titles/batch/decoration/"
        "achievement,detail,image,scid", TITLEHUB,
        json={"pfns": ["{pfn}", "{pfn2}"], "windowsPhoneProductIds": []},
        nullable=TITLEHUB_NULLABLE, client=WEBAPI),
    # user search and stats
    "usersearch_live_search.json": Call(
        "GET", "https://usersearch.xboxlive.com/suggest", {"x-xbl-contract-version": "1"},
        {"q": "{search}"}, client=WEBAPI),
    "userstats_by_scid.json": Call(
        "GET", "https://userstats.xboxlive.com/users/xuid({me})/scids/{sot_scid}/stats/"
        "MinutesPlayed", {"x-xbl-contract-version": "2"}, client=WEBAPI),
    "userstats_by_scid_with_metadata.json": Call(
        "GET", "https://userstats.xboxlive.com/users/xuid({me})/scids/{sot_scid}/stats/"
        "MinutesPlayed", {"x-xbl-contract-version": "3"}, {"include": "valuemetadata"},
        client=WEBAPI),
    "userstats_batch.json": Call(
        "POST", "https://userstats.xboxlive.com/batch", {"x-xbl-contract-version": "2"},
        json={"arrangebyfield": "xuid",
              "groups": [{"name": "Hero", "titleId": "{sea_of_thieves}"}],
              "stats": [{"name": "MinutesPlayed", "titleId": "{sea_of_thieves}"}],
              "xuids": ["{me}"]},
        client=WEBAPI),
    "userstats_batch_by_scid.json": Call(
        "POST", "https://userstats.xboxlive.com/batch", {"x-xbl-contract-version": "2"},
        json={"arrangebyfield": "xuid",
              "groups": [{"name": "Hero", "scid": "{sot_scid}"}],
              "stats": [{"name": "MinutesPlayed", "scid": "{sot_scid}"}],
              "xuids": ["{me}"]},
        client=WEBAPI),
}


def _own_presence_offline(sb: Sandbox, http: httpx.Client) -> httpx.Response:
    """``/users/me?level=all`` (xbox-webapi's get_presence_own) of a user as the recorded one
    was: offline, seen in no title."""
    joe = sb.world.joe
    joe.presence_state, joe.last_seen_title = "Offline", None
    sb.world.changed()
    return http.get("/userpresence.xboxlive.com/users/me", params={"level": "all"}, headers={
        "Authorization": sb.authorization_for(), "x-xbl-contract-version": "3",
        "Accept": "application/json"})


def _op_status(sb: Sandbox, http: httpx.Client) -> httpx.Response:
    """A WakeUp command, then its operation's status (xccs contract 3, as both peers)."""
    auth = {"Authorization": sb.authorization_for()}
    ids = placeholders_for(sb)
    command = http.post("/xccs.xboxlive.com/commands", headers={**XCCS, **auth}, json={
        "destination": "Xbox", "type": "Power", "command": "WakeUp",
        "sessionId": ids["session"], "sourceId": "com.microsoft.smartglass",
        "parameters": [{}], "linkedXboxId": ids["console"]})
    assert command.status_code == 200, command.status_code
    return http.get("/xccs.xboxlive.com/opStatus", headers={
        **auth, "x-xbl-contract-version": "3", "skillplatform": "RemoteManagement",
        "x-xbl-opId": command.json()["opId"], "x-xbl-deviceId": ids["console"]})


RECORDED_2025: dict[str, Row] = {
    **_captures(PYXBOX),
    # peoplehub on contract 7, camelCase decorations (python-xbox 0.4.0's PeopleProvider)
    "people_friends_own.json": Call(
        "GET", "https://peoplehub.xboxlive.com/users/me/people/friends/decoration/" + FOUR_7,
        HUB_V7, nullable=PEOPLE_NULLABLE, client=PYXBOX),
    "people_friends_by_xuid.json": Call(
        "GET", "https://peoplehub.xboxlive.com/users/xuid({friend})/people/friends/decoration/"
        + FOUR_7, HUB_V7, nullable=PEOPLE_NULLABLE, client=PYXBOX,
        optional=PARTY),
    "people_profile_by_xuid.json": Call(
        "GET", "https://peoplehub.xboxlive.com/users/me/people/xuids({friend})/decoration/"
        + FOUR_7, HUB_V7, nullable=PEOPLE_NULLABLE, client=PYXBOX,
        optional=PARTY),
    "people_batch.json": Call(
        "POST", "https://peoplehub.xboxlive.com/users/me/people/batch/decoration/" + FOUR_7,
        HUB_V7, json={"xuids": ["{friend}", "{friend2}", "{friend3}"]},
        nullable=PEOPLE_NULLABLE, client=PYXBOX,
        optional=PARTY),
    "people_recommendations.json": Call(
        "GET", "https://peoplehub.xboxlive.com/users/me/people/recommendations/decoration/detail",
        HUB_V7, nullable=PEOPLE_NULLABLE, client=PYXBOX),
    "people_summary_own.json": _social_summary("me", "2", PYXBOX),
    "people_summary_by_xuid.json": _social_summary("xuid({friend})", "2", PYXBOX),
    "people_summary_by_gamertag.json": _social_summary("gt({friend_gamertag})", "2", PYXBOX),
    # presence of a user in a game, every level (the recording's level=all)
    "presence_activity.json": Call(
        "GET", "https://userpresence.xboxlive.com/users/xuid({playing})",
        {"x-xbl-contract-version": "3", "Accept": "application/json"}, {"level": "all"},
        client=PYXBOX),
}

#: Every row, by (folder, file name).
TABLE: dict[tuple[str, str], Row] = {
    **{("recorded", name): row for name, row in RECORDED_2018.items()},
    **{("recorded-2025", name): row for name, row in RECORDED_2025.items()},
}


def placeholders_for(sb: Sandbox) -> dict[str, str]:
    """:func:`placeholders`, and the ids of the services with a world of their own
    (consoles, conversations, title package names, the TV lineup)."""
    from xbox.sandbox.services.cqs import HEADEND_ID
    from xbox.sandbox.world_services import JOE_CONSOLES, services_world

    ids = placeholders(sb)
    extra = services_world(sb)
    joe = sb.world.joe
    inbox = [c for c in extra.conversations_of(joe.xuid)
             if all(p != "0" for p in c.participants)]
    sea, fifa = extra.facts[1717113201], extra.facts[1813362885]
    ids.update({
        "console": JOE_CONSOLES[0][0],
        "session": str(uuid.UUID(int=sb.seed)),
        "inbox_friend": next(p for p in inbox[0].participants if p != joe.xuid),
        "pfn": fifa.pfn, "pfn2": sea.pfn,
        "sot_scid": next(t.scid for t in sb.world.titles if t.title_id == 1717113201),
        "headend": HEADEND_ID,
        "epg_start": sb.world.epoch.strftime("%Y-%m-%dT%H:00:00.000Z"),
        "search": joe.gamertag[:3].lower(),
    })
    return ids


def fill(value: Any, ids: dict[str, str]) -> Any:
    """``value`` with every ``{name}`` in its strings replaced by ``ids[name]``."""
    if isinstance(value, str):
        return value.format(**ids) if "{" in value else value
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


def send(sb: Sandbox, http: httpx.Client, call: Call) -> httpx.Response:
    """``call`` sent to ``sb`` in the mapped layout, signed in as JoeAlcorn (a store request
    carries no token, as the store takes none)."""
    ids = placeholders_for(sb)
    url = fill(call.url, ids)
    headers = dict(call.headers)
    if "displaycatalog" not in url:
        headers["Authorization"] = sb.authorization_for()
    kwargs: dict[str, Any] = {"headers": headers, "params": fill(call.params, ids)}
    if call.json is not None:
        body = fill(call.json, ids)
        if call.method == "DELETE":
            kwargs["content"] = httpx.Request("POST", "http://x", json=body).content
            kwargs["headers"] = {**headers, "Content-Type": "application/json"}
        else:
            kwargs["json"] = body
    return http.request(call.method, "/" + url.split("://", 1)[1], **kwargs)
