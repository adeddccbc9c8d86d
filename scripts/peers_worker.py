"""One peer against one served sandbox: its own sign-in flows, then every provider method.

Runs in the peers' virtualenv (``bench/.venv-peers``: xbox-webapi 2.1.0 and python-xbox 0.4.0,
which cannot share ours, xbox-webapi's module being ``xbox.webapi``), started by
``scripts/peers.py``. It reads one JSON object on stdin::

    {"peer": "python-xbox", "sign_in": "oauth2", "base_url": "http://127.0.0.1:PORT",
     "facts": {...}}

(``sign_in``: ``oauth2`` or ``xal``, the pass; ``facts``: the sandbox world's ids, with the
sign-in's e-mail and password, never on a command line) and writes ``{"rows": [...]}`` on
stdout, one row per step: ``{"name": "profile.get_profile_by_xuid", "ok": true, "detail":
"ProfileResponse"}``.

Everything goes through the peer's own code: its ``AuthenticationManager`` (OAuth2
authorization code, with a small "browser" that reads the sign-in page and posts the form as
a person would, then the refresh grant), its ``XALManager`` (SISU, once per app identity and
client it ships), and every coroutine method of every provider its ``XboxLiveClient`` builds.
The one thing replaced is the socket: an httpx transport that sends ``https://HOST/PATH`` to
``BASE/HOST/PATH`` (``MappingTransport``, shared with the bench).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import enum
import html.parser
import importlib
import inspect
import json
import re
import sys
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from peer_worker import PACKAGES, MappingTransport, describe  # bench/: shared with the bench

CALL_TIMEOUT = 30.0  # seconds for one step (a sign-in or a method), all its requests included
HTTP_TIMEOUT = httpx.Timeout(10.0)
MAX_PAGES = 8  # pages a sign-in may pass through before the app's redirect: a loop otherwise


# -- errors, as a row shows them -----------------------------------------------------------------

class StepFailed(Exception):
    """A step's own check failed (the peer raised nothing, but the answer is not a success)."""


def real_target(url: httpx.URL) -> str:
    """``host/path`` as the peer asked for it: the mapping transport rewrites a request's URL
    to ``BASE/HOST/PATH`` in place, so an error's request may carry the mapped one."""
    if url.host in ("127.0.0.1", "localhost"):
        return url.path.lstrip("/")
    return f"{url.host}{url.path}"


def symptom(exc: BaseException) -> str:
    """What went wrong, for the table: status, service and the start of the body for an HTTP
    error (never the query, which may carry a code), the validation error for a parse error."""
    if isinstance(exc, httpx.HTTPStatusError):
        request, response = exc.request, exc.response
        body = response.text.strip().replace("\n", " ")
        where = f"{request.method} {real_target(request.url)}"
        return (f"HTTP {response.status_code} at {where}"
                + (f": {body[:160]}" if body else " (empty body)"))
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return f"no answer within {CALL_TIMEOUT:.0f} s"
    return describe(exc)


# -- a browser, as far as a sign-in page needs one ----------------------------------------------------

class _Forms(html.parser.HTMLParser):
    """The ``<form method=post>`` of a page: its action and its inputs' names and values."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post" and self.action is None:
            self.action, self._inside = a.get("action", ""), True
        elif tag == "input" and self._inside and a.get("name"):
            self.fields[a["name"]] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False


_SERVER_DATA = re.compile(r"ServerData\s*=\s*")
_PPFT_IN_TAG = re.compile(r"""value=\\?["']([^"'\\]+)\\?["']""")
_URL_POST_JS = re.compile(r"""urlPost\s*:\s*'([^']+)'""")
_FT_TAG_JS = re.compile(r"""sFTTag\s*:\s*'([^']*)'""")


def server_data(page: str) -> tuple[str | None, str | None]:
    """``urlPost`` and the ``sFTTag`` (the PPFT input) of a login.live.com script page:
    a JSON object since mid-2025, a single-quoted JS literal on the 2014 page."""
    found = _SERVER_DATA.search(page)
    if found is None:
        return None, None
    try:
        data, _ = json.JSONDecoder().raw_decode(page, found.end())
    except json.JSONDecodeError:  # the 2014 page: a JS literal, not JSON
        line = page[found.end():].split("\n", 1)[0]
        url_match, tag_match = _URL_POST_JS.search(line), _FT_TAG_JS.search(line)
        return (url_match.group(1) if url_match else None,
                tag_match.group(1) if tag_match else None)
    if not isinstance(data, dict):
        return None, None
    url_post, ft_tag = data.get("urlPost"), data.get("sFTTag")
    return (url_post if isinstance(url_post, str) else None,
            ft_tag if isinstance(ft_tag, str) else None)


def sign_in_form(page: str, page_url: str, email: str, password: str) -> tuple[str, dict[str, str]]:
    """Where a person's browser posts their e-mail and password on this sign-in page, and what.

    An HTML form (the sandbox's code page) is filled in as typed; login.live.com's script page
    (``ServerData`` with ``urlPost`` and the ``PPFT`` tag, as a JSON object since mid-2025 or
    the 2014 JS literal) is posted as its script does: ``login``, ``loginfmt``, ``passwd``,
    ``PPFT`` (the fields XboxReplay xboxlive-auth 5.x sends).
    """
    forms = _Forms()
    forms.feed(page)
    if forms.action is not None:
        fields = dict(forms.fields)
        for name in ("login", "loginfmt"):
            if name in fields:
                fields[name] = email
        fields["passwd"] = password
        return urljoin(page_url, forms.action), fields
    url_post, ft_tag = server_data(page)
    ppft = _PPFT_IN_TAG.search(ft_tag or "")
    if not url_post or not ppft:
        title = re.search(r"<title>(.*?)</title>", page, re.S)
        raise StepFailed("the sign-in page has no form to post "
                         f"(page: {title.group(1).strip() if title else page[:80]!r})")
    return urljoin(page_url, url_post), {"login": email, "loginfmt": email, "passwd": password,
                                         "PPFT": ppft.group(1)}


def page_error(page: str) -> str | None:
    """The error a sign-in page shows (``sErrTxt``, or the form's error element), if any."""
    for pattern in (r'"sErrTxt"\s*:\s*"([^"]+)"', r"sErrTxt\s*:\s*'([^']+)'",
                    r'class="alert-error"[^>]*>(.*?)<'):
        found = re.search(pattern, page, re.S)
        if found:
            return re.sub(r"<!--.*?-->|<[^>]+>", "", found.group(1)).strip()
    return None


_COOKIE_START = re.compile(r",\s*(?=[^\s=;,]+=)")  # login.live.com joins cookies with ", "


def set_cookies(headers: httpx.Headers) -> dict[str, str]:
    """The cookies a response sets, by name (an empty value: a deletion)."""
    out = {}
    for header in headers.get_list("set-cookie"):
        for cookie in _COOKIE_START.split(header):
            name, _, value = cookie.split(";", 1)[0].partition("=")
            out[name.strip()] = value.strip()
    return out


async def browse_to_redirect(base: str, start: str, redirect_prefix: str, email: str,
                             password: str) -> str:
    """Open ``start`` as a browser would, sign in on the page it shows, and follow the
    redirects until login.live.com sends the browser to the app (``redirect_prefix``);
    return that URL (the app reads its ``code`` there). Never fetches the app's URL.

    As a browser, it keeps each host's cookies (kept here, by the real host: the mapping
    transport rewrites URLs, which httpx's own jar would then file under 127.0.0.1) and
    posts every form a page puts before it (a "stay signed in?" page too); a page that shows
    an error ends the sign-in.
    """
    url, form = start, None
    jar: dict[str, dict[str, str]] = {}
    async with httpx.AsyncClient(transport=MappingTransport(base), timeout=HTTP_TIMEOUT,
                                 trust_env=False) as browser:
        for _ in range(MAX_PAGES):
            if url.startswith(redirect_prefix):
                return url
            host = urlsplit(url).hostname or ""
            cookies = jar.setdefault(host, {})
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} \
                if cookies else {}
            if form is None:
                resp = await browser.get(url, headers=headers)
            else:
                resp = await browser.post(url, data=form, headers=headers)
            for name, value in set_cookies(resp.headers).items():
                if value:
                    cookies[name] = value
                else:
                    cookies.pop(name, None)
            if resp.is_redirect:
                url, form = urljoin(url, resp.headers["location"]), None
                continue
            resp.raise_for_status()
            if form is not None and (error := page_error(resp.text)):
                raise StepFailed(f"sign-in refused: {error}")
            url, form = sign_in_form(resp.text, url, email, password)
    raise StepFailed(f"no redirect to the app after {MAX_PAGES} pages")


# -- the peer --------------------------------------------------------------------------------------

@dataclass
class Peer:
    """One peer package (``xbox.webapi`` or ``pythonxbox``)."""

    name: str

    @property
    def package(self) -> str:
        return PACKAGES[self.name]

    def module(self, name: str) -> Any:
        return importlib.import_module(f"{self.package}.{name}")

    def enum(self, provider: str, cls: str, member: str) -> Any:
        return getattr(getattr(self.module(f"api.provider.{provider}.models"), cls), member)


@dataclass
class Context:
    """What a step's arguments come from: the world's facts, the peer's enums, and what
    earlier steps returned (a message to delete must have been sent first)."""

    peer: Peer
    facts: dict[str, Any]
    results: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.facts[key]

    def result(self, name: str) -> Any:
        if name not in self.results:
            raise StepFailed(f"needs {name}, which did not succeed")
        return self.results[name]


# The arguments of every provider method, in the order they run (creations before the
# deletions that need them; a console is turned off last and woken again). A method a peer
# has and this table lacks fails its row: a new method is never skipped silently.
Args = Callable[[Context], dict[str, Any]]


def on_console(c: Context) -> dict[str, Any]:
    """A console command's arguments: JoeAlcorn's console that is on."""
    return {"device_id": c["console_id"]}


METHODS: dict[str, Args] = {
    # profile
    "profile.get_profile_by_xuid": lambda c: {"target_xuid": c["xuid"]},
    "profile.get_profile_by_gamertag": lambda c: {"gamertag": c["gamertag"]},
    "profile.get_profiles": lambda c: {"xuid_list": [c["xuid"], c["friend_xuid"]]},
    # people
    "people.get_friends_own": lambda c: {},
    "people.get_friends_by_xuid": lambda c: {"xuid": c["xuid"]},
    "people.get_friend_by_xuid": lambda c: {"xuid": c["friend_xuid"]},
    "people.get_friends_own_batch": lambda c: {"xuids": c["friend_xuids"]},
    "people.get_friend_recommendations": lambda c: {},
    "people.get_friends_summary_own": lambda c: {},
    "people.get_friends_summary_by_xuid": lambda c: {"xuid": c["friend_xuid"]},
    "people.get_friends_summary_by_gamertag": lambda c: {"gamertag": c["friend_gamertag"]},
    # presence: three reads, then the write (their limits are separate on Xbox Live)
    "presence.get_presence_own": lambda c: {},
    "presence.get_presence": lambda c: {"xuid": c["friend_xuid"]},
    "presence.get_presence_batch": lambda c: {"xuids": c["friend_xuids"]},
    "presence.set_presence_own": lambda c: {
        "presence_state": c.peer.enum("presence", "PresenceState", "ACTIVE")},
    # achievements
    "achievements.get_achievements_xboxone_recent_progress_and_info": lambda c: {"xuid": c["xuid"]},
    "achievements.get_achievements_xboxone_gameprogress": lambda c: {
        "xuid": c["xuid"], "title_id": c["title_id"]},
    "achievements.get_achievements_detail_item": lambda c: {
        "xuid": c["xuid"], "service_config_id": c["scid"], "achievement_id": c["achievement_id"]},
    "achievements.get_achievements_xboxone_recent_unlocks": lambda c: {"xuid": c["xuid"]},
    "achievements.get_achievements_xbox360_recent_progress_and_info": lambda c: {"xuid": c["xuid"]},
    "achievements.get_achievements_xbox360_all": lambda c: {
        "xuid": c["xuid"], "title_id": c["title_id_360"]},
    "achievements.get_achievements_xbox360_earned": lambda c: {
        "xuid": c["xuid"], "title_id": c["title_id_360"]},
    "achievements.get_achievements_xbox360_recent_unlocks": lambda c: {"xuid": c["xuid"]},
    # userstats
    "userstats.get_stats": lambda c: {"xuid": c["xuid"], "service_config_id": c["scid"]},
    "userstats.get_stats_with_metadata": lambda c: {
        "xuid": c["xuid"], "service_config_id": c["scid"]},
    "userstats.get_stats_batch": lambda c: {
        "xuids": [c["xuid"], c["friend_xuid"]], "title_id": c["title_id"]},
    "userstats.get_stats_batch_by_scid": lambda c: {
        "xuids": [c["xuid"], c["friend_xuid"]], "service_config_id": c["scid"]},
    # titlehub
    "titlehub.get_title_history": lambda c: {"xuid": c["xuid"]},
    "titlehub.get_title_info": lambda c: {"title_id": c["title_id"]},
    "titlehub.get_title_info_by_xuid": lambda c: {"xuid": c["xuid"], "title_id": c["title_id"]},
    "titlehub.get_title_info_by_pfn": lambda c: {"pfn": c["pfn"]},
    "titlehub.get_titles_batch": lambda c: {"pfns": c["pfns"]},
    # usersearch
    "usersearch.get_live_search": lambda c: {"query": c["friend_gamertag"][:5]},
    # clips and screenshots: the signed-in user's, another's (JoeAlcorn's, by xuid), a title's
    "gameclips.get_recent_own_clips": lambda c: {},
    "gameclips.get_saved_own_clips": lambda c: {},
    "gameclips.get_recent_clips_by_xuid": lambda c: {"xuid": c["xuid"], "title_id": c["clip_title_id"]},
    "gameclips.get_saved_clips_by_xuid": lambda c: {"xuid": c["xuid"]},
    "gameclips.get_recent_community_clips_by_title_id": lambda c: {"title_id": c["clip_title_id"]},
    "gameclips.get_saved_community_clips_by_title_id": lambda c: {"title_id": c["clip_title_id"]},
    "screenshots.get_recent_own_screenshots": lambda c: {},
    "screenshots.get_saved_own_screenshots": lambda c: {},
    "screenshots.get_recent_screenshots_by_xuid": lambda c: {
        "xuid": c["xuid"], "title_id": c["screenshot_title_id"]},
    "screenshots.get_saved_screenshots_by_xuid": lambda c: {"xuid": c["xuid"]},
    "screenshots.get_recent_community_screenshots_by_title_id": lambda c: {
        "title_id": c["screenshot_title_id"]},
    "screenshots.get_saved_community_screenshots_by_title_id": lambda c: {
        "title_id": c["screenshot_title_id"]},
    "mediahub.fetch_own_clips": lambda c: {},
    "mediahub.fetch_own_screenshots": lambda c: {},
    # messages: read, send, then delete what was sent
    "message.get_inbox": lambda c: {},
    "message.get_conversation": lambda c: {"xuid": c["conversation_xuid"]},
    "message.send_message": lambda c: {"xuid": c["conversation_xuid"],
                                       "message_text": "Sent by the peers' check"},
    "message.delete_message": lambda c: {
        "conversation_id": c.result("message.send_message").conversation_id,
        "message_id": c.result("message.send_message").message_id},
    "message.delete_conversation": lambda c: {
        "conversation_id": c.result("message.send_message").conversation_id,
        "horizon": c.result("message.send_message").message_id},
    # pins: add one, read them, remove it again
    "lists.insert_items": lambda c: {"xuid": c["xuid"], "post_body": c["pin"]},
    "lists.get_items": lambda c: {"xuid": c["xuid"]},
    "lists.remove_items": lambda c: {"xuid": c["xuid"], "post_body": c["pin"]},
    # store and TV
    "catalog.get_products": lambda c: {"big_ids": c["big_ids"]},
    "catalog.get_product_from_alternate_id": lambda c: {
        "id": c["pfn"], "id_type": c.peer.enum("catalog", "AlternateIdType", "PACKAGE_FAMILY_NAME")},
    "catalog.product_search": lambda c: {"query": c["title_name"]},
    "cqs.get_channel_list": lambda c: {"locale_info": "en-US", "headend_id": c["headend_id"]},
    "cqs.get_schedule": lambda c: {
        "locale_info": "en-US", "headend_id": c["headend_id"],
        "start_date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ"), "duration_minutes": 60,
        "channel_skip": 0, "channel_count": 5},
    # consoles: JoeAlcorn's, the one that is on
    "smartglass.get_console_list": lambda c: {},
    "smartglass.get_console_status": on_console,
    "smartglass.get_installed_apps": on_console,
    "smartglass.get_storage_devices": on_console,
    "smartglass.mute": on_console,
    "smartglass.unmute": on_console,
    "smartglass.volume": lambda c: {
        "device_id": c["console_id"],
        "direction": c.peer.enum("smartglass", "VolumeDirection", "Up")},
    "smartglass.play": on_console,
    "smartglass.pause": on_console,
    "smartglass.previous": on_console,
    "smartglass.next": on_console,
    "smartglass.go_home": on_console,
    "smartglass.go_back": on_console,
    "smartglass.show_guide_tab": on_console,
    "smartglass.press_button": lambda c: {
        "device_id": c["console_id"], "button": c.peer.enum("smartglass", "InputKeyType", "A")},
    "smartglass.insert_text": lambda c: {"device_id": c["console_id"], "text": "halo"},
    "smartglass.launch_app": lambda c: {"device_id": c["console_id"],
                                        "one_store_product_id": c["app_product_id"]},
    "smartglass.show_tv_guide": on_console,
    "smartglass.get_op_status": lambda c: {
        "device_id": c["console_id"], "op_id": c.result("smartglass.show_tv_guide").op_id},
    "smartglass.reboot": on_console,
    "smartglass.turn_off": on_console,
    "smartglass.wake_up": on_console,
    # gamertag: reserve a free one, then preview the change (a real change costs the free one)
    "account.claim_gamertag": lambda c: {"xuid": c["xuid"], "gamertag": c["free_gamertag"]},
    "account.change_gamertag": lambda c: {"xuid": c["xuid"], "gamertag": c["free_gamertag"],
                                          "preview": True},
}


def provider_methods(xbl: Any) -> list[str]:
    """Every public coroutine method of every provider the client built, as
    ``provider.method``: what the peer offers, found from the peer, not from a list."""
    names = []
    for attr, provider in vars(xbl).items():
        if type(provider).__name__.endswith("Provider"):
            for name, _ in inspect.getmembers(type(provider), inspect.iscoroutinefunction):
                if not name.startswith("_"):
                    names.append(f"{attr}.{name}")
    return names


def in_run_order(names: list[str]) -> list[str]:
    """The table's order; methods the table does not know come last (and fail)."""
    order = {name: n for n, name in enumerate(METHODS)}
    return sorted(names, key=lambda name: (order.get(name, len(order)), name))


def judge(result: Any) -> str:
    """A method passed when it returned a parsed answer: a model (named here), or the True /
    enum some methods return; False or None is the peer saying the call did not succeed."""
    if result is None or result is False:
        raise StepFailed(f"returned {result!r}")
    if isinstance(result, list):
        return f"list of {len(result)}"
    if isinstance(result, enum.Enum):
        return f"{type(result).__name__}.{result.name}"
    return type(result).__name__ if not isinstance(result, bool | int | str) else repr(result)


# -- the run --------------------------------------------------------------------------------------

class ObservedTransport(MappingTransport):
    """The mapping transport, remembering the last answer: a method that returns False
    (some check the status themselves) is then shown with what it got."""

    last: str = ""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        where = f"{request.method} {real_target(request.url)}"
        response = await super().handle_async_request(request)
        ObservedTransport.last = f"HTTP {response.status_code} at {where}"
        return response


@dataclass
class Run:
    """One peer, one sign-in pass: its rows, in the order they ran."""

    peer: Peer
    base: str
    facts: dict[str, Any]
    rows: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[httpx.AsyncClient] = field(default_factory=list)

    def client(self) -> httpx.AsyncClient:
        """A plain session of the peer's kind, reaching the sandbox (closed at the end)."""
        session = httpx.AsyncClient(transport=ObservedTransport(self.base), timeout=HTTP_TIMEOUT,
                                    trust_env=False)
        self.sessions.append(session)
        return session

    def signed_session(self) -> Any:
        """The peer's ``SignedSession`` (it signs each request with its device key): it takes
        no transport, so it is built as its own ``__init__`` builds it, on an
        ``AsyncClient`` that has one."""
        cls = self.peer.module("common.signed_session").SignedSession
        session = cls.__new__(cls)
        httpx.AsyncClient.__init__(session, transport=ObservedTransport(self.base),
                                   timeout=HTTP_TIMEOUT, trust_env=False)
        session.request_signer = self.peer.module("common.request_signer").RequestSigner()
        self.sessions.append(session)
        return session

    async def step(self, name: str, work: Callable[[], Awaitable[Any]]) -> Any:
        """Run one step under a time limit and record its row; its result, or None."""
        ObservedTransport.last = ""
        try:
            result = await asyncio.wait_for(work(), CALL_TIMEOUT)
            detail = judge(result)
        except StepFailed as exc:
            seen = f" (last answer: {ObservedTransport.last})" if ObservedTransport.last else ""
            self.rows.append({"name": name, "ok": False, "detail": f"{exc}{seen}"})
            return None
        except Exception as exc:  # any failure is the row's, the run goes on
            self.rows.append({"name": name, "ok": False, "detail": symptom(exc)})
            return None
        self.rows.append({"name": name, "ok": True, "detail": detail})
        return result

    def manager(self) -> Any:
        scripts = self.peer.module("scripts")  # the client id the peer's own script uses
        return self.peer.module("authentication.manager").AuthenticationManager(
            self.client(), scripts.CLIENT_ID, scripts.CLIENT_SECRET, scripts.REDIRECT_URI)

    # -- sign-in: OAuth2 ------------------------------------------------------------------------

    async def oauth2(self) -> Any:
        """The peer's OAuth2 authorization-code flow (its ``xbox-authenticate`` script), then
        its refresh; the manager the provider methods use (the refreshed one)."""
        redirect = self.peer.module("scripts").REDIRECT_URI
        models = self.peer.module("authentication.models")
        first = self.manager()

        async def code_flow() -> Any:
            url = first.generate_authorization_url(state=uuid.uuid4().hex)
            landed = await browse_to_redirect(self.base, url, redirect, self.facts["email"],
                                              self.facts["password"])
            query = dict(parse_qsl(urlsplit(landed).query))
            if "code" not in query:
                raise StepFailed(f"redirected without a code: {sorted(query)}")
            await first.request_tokens(query["code"])
            return first.xsts_token

        if await self.step("sign-in.oauth2_authorization_code", code_flow) is None:
            return None

        async def refresh() -> Any:
            # As the peer's script does on its next run: the saved OAuth tokens, long
            # expired, refreshed, then new user and XSTS tokens.
            saved = models.OAuth2TokenResponse.model_validate_json(first.oauth.model_dump_json())
            saved.issued = datetime.now(UTC) - timedelta(days=2)
            again = self.manager()
            again.oauth = saved
            await again.refresh_tokens()
            if again.oauth is saved:
                raise StepFailed("refresh_tokens() kept the expired OAuth token")
            return again

        return await self.step("sign-in.oauth2_refresh", refresh)

    # -- sign-in: XAL ---------------------------------------------------------------------------

    async def xal(self) -> Any:
        """The XAL (SISU) flow of the Xbox apps for every app identity and client the peer
        ships; a refresh and an XSTS token for a relying party of the signed-in device; the
        manager the provider methods use, holding the tokens of the identity the peer's own
        ``xbox-xal`` script uses (Game Pass beta on Android), else of the first that worked."""
        xal_mod = self.peer.module("authentication.xal")
        models = self.peer.module("authentication.models")
        await self.step("sign-in.xal_title_endpoints",
                        lambda: xal_mod.XALManager.get_title_endpoints(self.client()))
        apps = {n[len("APP_PARAMS_"):].lower(): v for n, v in vars(xal_mod).items()
                if n.startswith("APP_PARAMS_")}
        devices = {n[len("CLIENT_PARAMS_"):].lower(): v for n, v in vars(xal_mod).items()
                   if n.startswith("CLIENT_PARAMS_")}
        signed_in: dict[tuple[str, str], tuple[Any, Any, Any]] = {}
        for app_name, app in apps.items():
            for device_name, device in devices.items():
                done = await self._xal_sign_in(f"sign-in.xal[{app_name},{device_name}]",
                                               xal_mod.XALManager(self.signed_session(),
                                                                  uuid.uuid4(), app, device))
                if done is not None:
                    signed_in[(app_name, device_name)] = done
        if not signed_in:
            return None
        manager, sisu, tokens = signed_in.get(("gamepass_beta", "android"),
                                              next(iter(signed_in.values())))

        async def xal_refresh() -> Any:
            resp = await manager.refresh_token(tokens.refresh_token)
            resp.raise_for_status()
            return models.OAuth2TokenResponse.model_validate_json(resp.text)

        await self.step("sign-in.xal_refresh", xal_refresh)
        await self.step("sign-in.xal_xsts_authorization", lambda: manager.xsts_authorization(
            sisu.device_token, sisu.title_token.token, sisu.user_token.token,
            "http://xboxlive.com"))
        holder = self.manager()
        holder.oauth, holder.user_token = tokens, sisu.user_token
        holder.xsts_token = sisu.authorization_token
        return holder

    async def _xal_sign_in(self, name: str, manager: Any) -> tuple[Any, Any, Any] | None:
        """One identity's ``auth_flow``: its manager, the SISU answer and the MSA tokens."""
        msa: list[Any] = []
        exchange = manager.exchange_code_for_token

        async def keep(*args: Any) -> Any:
            # auth_flow drops the MSA tokens once it has the Xbox ones: keep them (the
            # refresh step needs them, as the Xbox app keeps them).
            msa.append(await exchange(*args))
            return msa[-1]

        manager.exchange_code_for_token = keep
        sisu = await self.step(name, lambda: self._xal_flow(manager))
        return (manager, sisu, msa[-1]) if sisu is not None and msa else None

    async def _xal_flow(self, manager: Any) -> Any:
        def person_in_browser(auth_url: str) -> str:
            # auth_flow asks for the redirect synchronously (a person pastes it): the browser
            # runs on its own loop in a thread while this one waits.
            redirect = manager.app_params.redirect_uri
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                return pool.submit(asyncio.run, browse_to_redirect(
                    self.base, auth_url, redirect, self.facts["email"],
                    self.facts["password"])).result(timeout=CALL_TIMEOUT)

        return await manager.auth_flow(person_in_browser)

    # -- provider methods -------------------------------------------------------------------------

    async def providers(self, manager: Any) -> None:
        client = self.peer.module("api.client").XboxLiveClient(manager)
        context = Context(self.peer, self.facts)
        for name in in_run_order(provider_methods(client)):
            if manager is None:
                self.rows.append({"name": name, "ok": False, "detail": "not signed in"})
                continue
            provider, method = name.split(".")
            make_args = METHODS.get(name)

            async def call(provider: str = provider, method: str = method,
                           make_args: Args | None = make_args) -> Any:
                if make_args is None:
                    raise StepFailed("a method the check does not know: give it arguments in "
                                     "scripts/peers_worker.py METHODS")
                return await getattr(getattr(client, provider), method)(**make_args(context))

            result = await self.step(name, call)
            if result is not None:
                context.results[name] = result


SIGN_INS = ("oauth2", "xal")


async def run(peer_name: str, base: str, facts: dict[str, Any], sign_in: str) -> list[dict[str, Any]]:
    """One pass: sign in one way, then every provider method with those tokens."""
    work = Run(Peer(peer_name), base, facts)
    try:
        manager = await (work.oauth2() if sign_in == "oauth2" else work.xal())
        await work.providers(manager)
    finally:
        for session in work.sessions:
            await session.aclose()
    return work.rows


def main() -> int:
    job = json.loads(sys.stdin.read())
    if job["sign_in"] not in SIGN_INS:
        raise SystemExit(f"sign_in must be one of {SIGN_INS}")
    out = sys.stdout
    sys.stdout = sys.stderr  # xbox-webapi prints from its auth manager: keep stdout for JSON
    rows = asyncio.run(run(job["peer"], job["base_url"], job["facts"], job["sign_in"]))
    out.write(json.dumps({"rows": rows}) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
