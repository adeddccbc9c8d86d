"""The peers' side of the bench: a long-lived worker in their own virtualenv (bench/.venv-peers).

OpenXbox/xbox-webapi-python (``xbox-webapi`` 2.1.0, async) and its maintained fork
tr4nt0r/python-xbox (``python-xbox`` 0.4.0, module ``pythonxbox``) cannot share our
virtualenv (xbox-webapi's module is ``xbox.webapi``). The parent starts this worker once and
sends it commands (JSON lines, ``harness.Worker``); each ``block`` runs one block of work and
answers the wall and CPU seconds measured here, around the work only, so that the parent can
alternate the peers' blocks with its own raw-httpx blocks round by round.

Equal work: the peers talk to the same served sandbox through an httpx transport that maps
``https://HOST/PATH`` to ``BASE/HOST/PATH`` (a string operation per request, as our client's
mapping is), with tokens from the parent's sign-in (the peers have no password flow). Their
profile methods hard-code 15 settings; the look-up here is each peer's own
``get_profile_by_gamertag`` step for step (its session's ``get`` with ``params=``, its
``raise_for_status``, its response model) asking for the same 21 settings as our client.
Client-side limits: off unless a command says ``limiter`` (python-xbox only: xbox-webapi has
none).
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import importlib.metadata
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import harness
import httpx

PACKAGES = {"xbox-webapi": "xbox.webapi", "python-xbox": "pythonxbox"}


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


def describe(exc: BaseException) -> str:
    """An error for a row: pydantic's many-error reports as a count and the first one."""
    errors = getattr(exc, "errors", None)
    if callable(errors) and hasattr(exc, "error_count"):
        try:
            first = errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            return (f"{type(exc).__name__}: {exc.error_count()} validation errors "
                    f"(first: {where}: {first['msg']}, input {first.get('input')!r:.40})")
        except (IndexError, KeyError, TypeError):
            pass
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTPStatusError: HTTP {exc.response.status_code}"
    message = getattr(exc, "message", None)
    if isinstance(message, str):  # python-xbox's exceptions keep theirs apart from args
        return f"{type(exc).__name__}: {message}"
    return harness.short(exc, 200)


class Peer:
    def __init__(self, name: str, base: str, auth: dict[str, str], gamertag: str,
                 settings: list[str]) -> None:
        package = PACKAGES[name]
        self.name = name
        self.base = base
        self.auth = auth
        self.gamertag = gamertag
        self.settings = settings
        self.models = importlib.import_module(f"{package}.authentication.models")
        self.manager = importlib.import_module(f"{package}.authentication.manager")
        self.client_mod = importlib.import_module(f"{package}.api.client")
        self.profile_models = importlib.import_module(f"{package}.api.provider.profile.models")
        self.xbl = self.new_client()

    def tokens(self) -> tuple[Any, Any, Any]:
        m, auth = self.models, self.auth
        now = datetime.now(UTC)
        later = (now + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
        issued = now.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")
        oauth = m.OAuth2TokenResponse(
            token_type="bearer", expires_in=3600, scope="service::user.auth.xboxlive.com::MBI_SSL",
            access_token="unused", refresh_token="unused", user_id="unused")
        user = m.XAUResponse.model_validate({
            "IssueInstant": issued, "NotAfter": later, "Token": "unused",
            "DisplayClaims": {"xui": [{"uhs": auth["uhs"]}]}})
        xsts = m.XSTSResponse.model_validate({
            "IssueInstant": issued, "NotAfter": later, "Token": auth["token"],
            "DisplayClaims": {"xui": [{"uhs": auth["uhs"], "xid": auth["xuid"],
                                       "gtg": self.gamertag, "agg": "Adult", "prv": "",
                                       "usr": "", "utr": ""}]}})
        return oauth, user, xsts

    def new_client(self) -> Any:
        """A fresh client: its own connection pool and, for python-xbox, fresh limiters."""
        session = httpx.AsyncClient(transport=MappingTransport(self.base))
        mgr = self.manager.AuthenticationManager(session, "unused", "unused", "http://localhost")
        mgr.oauth, mgr.user_token, mgr.xsts_token = self.tokens()
        return self.client_mod.XboxLiveClient(mgr)

    async def lookup_response(self, xbl: Any, limiter: bool) -> httpx.Response:
        provider = xbl.profile
        url = provider.PROFILE_URL + f"/users/gt({self.gamertag})/profile/settings"
        params = {"settings": provider.SEPARATOR.join(self.settings)}
        extra: dict[str, Any] = {}
        if limiter and hasattr(provider, "rate_limit_read"):
            extra["rate_limits"] = provider.rate_limit_read
        resp: httpx.Response = await xbl.session.get(url, params=params,
                                                     headers=provider.HEADERS_PROFILE, **extra)
        resp.raise_for_status()
        return resp

    async def lookup(self, xbl: Any, limiter: bool = False) -> Any:
        resp = await self.lookup_response(xbl, limiter)
        model = self.profile_models.ProfileResponse
        if self.name == "python-xbox":
            return model.model_validate_json(resp.text)  # as its get_profile_by_gamertag
        return model(**resp.json())  # as xbox-webapi's get_profile_by_gamertag

    async def paging(self, xbl: Any) -> int:
        """Every clip through the peer's own method. Neither peer follows continuation
        tokens: page with skipItems until a short page (51 requests for 5,000 clips)."""
        count, skip = 0, 0
        while True:
            page = await xbl.gameclips.get_recent_clips_by_xuid(self.auth["xuid"], skip_items=skip,
                                                                max_items=100)
            count += len(page.game_clips)
            skip += 100
            if len(page.game_clips) < 100:
                return count


class Worker:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.peers: dict[str, Peer] = {}
        self.errors: dict[str, str] = {}

    def setup(self, base: str, uhs: str, token: str, xuid: str, gamertag: str,
              settings: list[str], scale: float) -> dict[str, Any]:
        auth = {"uhs": uhs, "token": token, "xuid": xuid}
        for name in PACKAGES:
            try:
                self.peers[name] = Peer(name, base, auth, gamertag, settings)
            except Exception as exc:
                self.errors[name] = describe(exc)
        scale_python_xbox_windows(scale)
        return {"ok": True, "errors": self.errors}

    def run(self, coro: Awaitable[Any]) -> Any:
        return self.loop.run_until_complete(coro)

    def peer(self, name: str) -> Peer:
        if name not in self.peers:
            raise RuntimeError(self.errors.get(name, f"no peer {name}"))
        return self.peers[name]

    def lookup_body(self, peer: str) -> dict[str, Any]:
        """One look-up's response body, for the parent to compare with its raw one."""
        p = self.peer(peer)
        resp = self.run(p.lookup_response(p.xbl, limiter=False))
        return {"body": resp.json(), "target": resp.request.url.raw_path.decode()}

    def block(self, peer: str, what: str, n: int = 1) -> dict[str, Any]:
        p = self.peer(peer)

        async def work() -> tuple[harness.Sample, int]:
            clock = harness.Clock()
            if what == "lookup":
                for _ in range(n):
                    await p.lookup(p.xbl)
                count = n
            else:
                count = await p.paging(p.xbl)
            return clock.stop(), count

        gc.collect()  # as the parent does before its own blocks
        try:
            sample, count = self.run(work())
        except Exception as exc:
            return {"error": describe(exc)}
        return {**sample.to_json(), "count": count}

    def ratelimit(self, peer: str, n: int, caller_waits: bool = False) -> dict[str, Any]:
        """``n`` look-ups with the peer's limiter on, on a fresh client (a whole budget).

        ``caller_waits``: catch python-xbox's ``RateLimitExceededException`` and sleep until
        the ``try_again_in`` it carries, as a caller of python-xbox has to.
        """
        p = self.peer(peer)
        xbl = p.new_client()
        done = 0

        async def work() -> None:
            nonlocal done
            while done < n:
                try:
                    await p.lookup(xbl, limiter=True)
                except Exception as exc:
                    again = getattr(exc, "try_again_in", None)
                    if not (caller_waits and isinstance(again, datetime)):
                        raise
                    await asyncio.sleep(max(0.0, (again - datetime.now()).total_seconds()))
                    continue
                done += 1

        start = time.perf_counter()
        try:
            self.run(work())
        except Exception as exc:
            return {"elapsed": time.perf_counter() - start, "done": done, "error": describe(exc)}
        finally:
            self.run(xbl._auth_mgr.session.aclose())
        return {"elapsed": time.perf_counter() - start, "done": done}


def scale_python_xbox_windows(scale: float) -> None:
    """Give python-xbox's limiter the sandbox's scaled windows (its 15 s / 300 s are an enum
    it reads when a window starts): the one change made to a peer, for the rate-limit rows."""
    try:
        from pythonxbox.common.ratelimits import SingleRateLimit
    except ImportError:
        return

    def scaled_reset_after(self: Any) -> None:
        self._SingleRateLimit__reset_after = datetime.now() + timedelta(
            seconds=self.get_time_period().value * scale)

    SingleRateLimit._SingleRateLimit__set_reset_after = scaled_reset_after  # type: ignore[attr-defined]


def main() -> int:
    worker = Worker()
    versions = {name: importlib.metadata.version(name) for name in PACKAGES}
    handlers: dict[str, Callable[..., dict[str, Any]]] = {
        "setup": worker.setup, "lookup_body": worker.lookup_body, "block": worker.block,
        "ratelimit": worker.ratelimit}
    harness.serve_commands(handlers, hello={"versions": versions})
    return 0


if __name__ == "__main__":
    sys.exit(main())
