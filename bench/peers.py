"""The peers' side of bench/bench_client.py, run in their own virtualenv (bench/.venv-peers).

OpenXbox/xbox-webapi-python (``xbox-webapi``) and its maintained fork tr4nt0r/python-xbox
(``python-xbox``, module ``pythonxbox``) are async-only and talk to the real hosts, so an
httpx transport rewrites ``https://HOST/PATH`` to the served sandbox's mapped layout (a
string operation per request, the same work our client's mapping does). Tokens come from
our sign-in (the peers have no password or device-code flow), passed in by the parent.

Prints one JSON object: median seconds per profile lookup and per paging run, per peer.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx


class MappingTransport(httpx.AsyncHTTPTransport):
    """Send ``https://HOST/PATH`` to ``BASE/HOST/PATH`` (the sandbox layout)."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = httpx.URL(base)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        request.url = self.base.copy_with(raw_path=b"/" + url.host.encode() + url.raw_path)
        request.headers["Host"] = self.base.netloc.decode()
        return await super().handle_async_request(request)


def _tokens(package: str, auth: dict[str, Any]) -> tuple[Any, Any, Any]:
    models = importlib.import_module(f"{package}.authentication.models")
    now = datetime.now(UTC)
    later = (now + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
    issued = now.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
    oauth = models.OAuth2TokenResponse(
        token_type="bearer", expires_in=3600, scope="service::user.auth.xboxlive.com::MBI_SSL",
        access_token="unused", refresh_token="unused", user_id="unused")
    user = models.XAUResponse.model_validate({
        "IssueInstant": issued, "NotAfter": later, "Token": "unused",
        "DisplayClaims": {"xui": [{"uhs": auth["uhs"]}]}})
    xsts = models.XSTSResponse.model_validate({
        "IssueInstant": issued, "NotAfter": later, "Token": auth["token"],
        "DisplayClaims": {"xui": [{"uhs": auth["uhs"], "xid": auth["xuid"], "gtg": "JoeAlcorn",
                                   "agg": "Adult", "prv": "", "usr": "", "utr": ""}]}})
    return oauth, user, xsts


async def bench_peer(package: str, base: str, auth: dict[str, Any], calls: int,
                     clips: int) -> dict[str, float]:
    manager_mod = importlib.import_module(f"{package}.authentication.manager")
    client_mod = importlib.import_module(f"{package}.api.client")
    session = httpx.AsyncClient(transport=MappingTransport(base))
    mgr = manager_mod.AuthenticationManager(session, "unused", "unused", "http://localhost")
    mgr.oauth, mgr.user_token, mgr.xsts_token = _tokens(package, auth)
    xbl = client_mod.XboxLiveClient(mgr)
    xuid = auth["xuid"]

    async def lookup() -> None:
        await xbl.profile.get_profile_by_xuid(xuid)

    async def paging() -> int:
        # The peers have no continuation tokens: page with skipItems until a short page.
        count, skip = 0, 0
        while True:
            page = await xbl.gameclips.get_recent_clips_by_xuid(xuid, skip_items=skip, max_items=100)
            count += len(page.game_clips)
            skip += 100
            if len(page.game_clips) < 100:
                return count

    await lookup()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        await lookup()
        times.append(time.perf_counter() - start)
    got = await paging()
    assert got == clips, f"{package} paged {got} clips, expected {clips}"
    page_times = []
    for _ in range(5):
        start = time.perf_counter()
        await paging()
        page_times.append(time.perf_counter() - start)
    await session.aclose()
    return {"profile": statistics.median(times), "paging": statistics.median(page_times)}


def main() -> int:
    base, auth_json, calls, clips = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    auth = json.loads(auth_json)
    out: dict[str, Any] = {}
    for name, package in (("xbox-webapi", "xbox.webapi"), ("python-xbox", "pythonxbox")):
        try:
            out[name] = asyncio.run(bench_peer(package, base, auth, calls, clips))
        except Exception as exc:  # report, don't hide: the parent prints it
            out[name] = {"error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
