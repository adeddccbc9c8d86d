"""What the rows share for one run: the served sandbox, one sign-in, the peers' worker, and
the byte-identical raw requests.

The raw-httpx baselines send exactly what our client sends: the URL built as a string (raw
commas, no ``params=``) and the same headers in the same order. :func:`check_identical`
proves it before any timing, twice: the ``httpx.Request`` objects both clients hand to the
socket (method, URL bytes, header bytes, case included) and the requests the sandbox logged.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import harness
import httpx

import xbox
from xbox._http import USER_AGENT
from xbox.sandbox import JOE_EMAIL, JOE_PASSWORD

BENCH = Path(__file__).resolve().parent
PEERS_PYTHON = BENCH / ".venv-peers" / "bin" / "python"


@dataclass
class Context:
    args: argparse.Namespace
    server: harness.Worker
    base_url: str
    client_cpu: int | None
    server_cpu: int | None
    authorization: str = ""
    auth: dict[str, str] = field(default_factory=dict)  # uhs, token, xuid: for the peers
    peers: harness.Worker | None = None
    peers_error: str | None = None
    peers_versions: dict[str, str] = field(default_factory=dict)

    def sandbox_log(self) -> list[list[Any]]:
        return list(self.server.call("log")["requests"])

    def headers(self, contract_version: int) -> dict[str, str]:
        """The headers our client sends on an API call, in its order (``_http.build_request``
        then ``_core.call.api_call``, then the Authorization of ``_send``)."""
        return {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate",
                "Accept-Language": "en-US", "Accept": "application/json",
                "x-xbl-contract-version": str(contract_version),
                "Authorization": self.authorization}

    def client(self, **options: Any) -> xbox.Client:
        options.setdefault("rate_limits", False)
        return xbox.Client(base_url=self.base_url, http2=False, **options)

    def async_client(self, **options: Any) -> xbox.AsyncClient:
        options.setdefault("rate_limits", False)
        return xbox.AsyncClient(base_url=self.base_url, http2=False, **options)


@contextmanager
def started(args: argparse.Namespace) -> Iterator[Context]:
    """Serve the sandbox on its own core, sign in once (tokens saved in a temporary
    ``$XBOX_HOME`` that every client of the run, and the second-process children, load),
    start the peers' worker."""
    client_cpu, server_cpu = args.client_cpu, args.server_cpu
    with tempfile.TemporaryDirectory(prefix="xbox-bench-") as tmp:
        os.environ["XBOX_HOME"] = str(Path(tmp) / "home")
        os.environ.pop("XBOX_LIVE_BASE_URL", None)
        argv = [sys.executable, str(BENCH / "server.py"), "--clips", str(args.clips),
                "--rate-scale", str(args.rate_scale)]
        if server_cpu is not None:
            argv += ["--cpu", str(server_cpu)]
        server = harness.Worker(argv, name="sandbox")
        try:
            base_url = server.read()["base_url"]
            ctx = Context(args, server, base_url, client_cpu, server_cpu)
            with ctx.client() as xbl:
                xbl.authenticate(JOE_EMAIL, JOE_PASSWORD)
                session = xbl.auth.session
                assert session is not None and session.user is not None
                assert session.xsts is not None and session.xuid is not None
                ctx.authorization = session.authorization
                ctx.auth = {"uhs": session.user.uhs, "token": session.xsts.token,
                            "xuid": session.xuid}
            start_peers(ctx)
            try:
                yield ctx
            finally:
                if ctx.peers is not None:
                    ctx.peers.close()
        finally:
            server.close()


def start_peers(ctx: Context) -> None:
    if not PEERS_PYTHON.exists():
        ctx.peers_error = "bench/.venv-peers is missing (`make bench` creates it)"
        return
    from xbox.models.profile import DEFAULT_SETTINGS
    from xbox.sandbox import JOE_GAMERTAG

    worker = harness.Worker([str(PEERS_PYTHON), str(BENCH / "peer_worker.py")], name="peers")
    try:
        hello = worker.read()
        # Tokens go over the pipe, never on a command line (ps would show them).
        worker.call("setup", base=ctx.base_url, gamertag=JOE_GAMERTAG,
                    settings=list(DEFAULT_SETTINGS), scale=ctx.args.rate_scale, **ctx.auth)
    except harness.WorkerError as exc:
        worker.close()
        ctx.peers_error = str(exc)
        return
    ctx.peers = worker
    ctx.peers_versions = dict(hello.get("versions", {}))


# -- equal work -------------------------------------------------------------------------------


def wire_of(request: httpx.Request) -> tuple[str, bytes, list[tuple[bytes, bytes]]]:
    """A request as it goes to the socket: method, URL bytes, header bytes (case kept)."""
    return request.method, str(request.url).encode(), list(request.headers.raw)


class Recorder:
    """An httpx request hook that keeps what a client is about to send."""

    def __init__(self, is_async: bool) -> None:
        self.seen: list[tuple[str, bytes, list[tuple[bytes, bytes]]]] = []
        self.hook: Callable[[httpx.Request], Any] = self._async_hook if is_async else self._hook

    def _hook(self, request: httpx.Request) -> None:
        self.seen.append(wire_of(request))

    async def _async_hook(self, request: httpx.Request) -> None:
        self.seen.append(wire_of(request))


def check_identical(ctx: Context, what: str, ours: Callable[[], object], ours_pool: Any,
                    raw: Callable[[], object], raw_pool: Any, *, is_async: bool) -> None:
    """Run ``ours`` then ``raw`` once each (a look-up, or a whole listing) and assert that
    they sent the same requests: at the socket (a request hook on each client's httpx pool,
    removed again before any timing) and as the sandbox logged them.
    """
    recorders = Recorder(is_async), Recorder(is_async)
    for pool, rec in zip((ours_pool, raw_pool), recorders, strict=True):
        pool.event_hooks["request"].append(rec.hook)
    try:
        ctx.server.call("clear_log")
        ours()
        ours_log = ctx.sandbox_log()
        ctx.server.call("clear_log")
        raw()
        raw_log = ctx.sandbox_log()
    finally:
        for pool, rec in zip((ours_pool, raw_pool), recorders, strict=True):
            pool.event_hooks["request"].remove(rec.hook)
    ours_seen, raw_seen = recorders[0].seen, recorders[1].seen
    if ours_seen != raw_seen or not ours_seen:
        i = next((i for i, (a, b) in enumerate(zip(ours_seen, raw_seen, strict=False)) if a != b),
                 min(len(ours_seen), len(raw_seen)))
        raise AssertionError(f"{what}: the raw baseline does not send what xbox sends "
                             f"(request {i} of {len(ours_seen)}/{len(raw_seen)}: "
                             f"{_redacted(ours_seen, i)} vs {_redacted(raw_seen, i)})")
    if ours_log != raw_log:
        raise AssertionError(f"{what}: the sandbox logged different requests "
                             f"({len(ours_log)} vs {len(raw_log)})")


def _redacted(seen: list[Any], i: int) -> str:
    if i >= len(seen):
        return "nothing"
    method, url, headers = seen[i]
    names = [k.decode() + ("=…" if k.lower() == b"authorization" else "=" + v.decode())
             for k, v in headers]
    return json.dumps([method, url.decode(), names])
