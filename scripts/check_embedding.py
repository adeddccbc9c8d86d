"""An application embedding xbox with nothing but ``pip install xbox``: its own
``httpx.AsyncClient`` (with an event hook), its own Microsoft token (linked by device code
against the in-process sandbox), its own token store; API calls and a download; nothing
written under ``XBOX_HOME``; the host's client left open.

Run by ``make check-install`` in a virtualenv without the extras, and by
tests/test_structure.py with click, rich and uvicorn made absent. Prints one line.

    python scripts/check_embedding.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile

import httpx

import xbox
from xbox.auth.storage import MemoryTokenStore
from xbox.sandbox import Sandbox

AZURE_APP = "5c3b8d4e-8a9f-4c1e-9f2a-6b7d0e1f2a3b"
SCOPE = "XboxLive.signin XboxLive.offline_access"


async def main() -> int:
    home = tempfile.mkdtemp()
    os.environ["XBOX_HOME"] = home
    sb = Sandbox(seed=0, device_code_pending_polls=0)
    seen: list[httpx.Request] = []

    async def hook(request: httpx.Request) -> None:
        seen.append(request)

    async with httpx.AsyncClient(transport=sb.transport(), event_hooks={"request": [hook]}) as http:
        login = f"{sb.base_url}/login.live.com"
        start = await http.post(f"{login}/oauth20_connect.srf", data={
            "client_id": AZURE_APP, "scope": SCOPE, "response_type": "device_code"})
        token = (await http.post(f"{login}/oauth20_token.srf", data={
            "client_id": AZURE_APP, "device_code": start.json()["device_code"],
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code"})).json()
        store = MemoryTokenStore()
        async with xbox.AsyncClient(http_client=http, base_url=sb.base_url,
                                    token_store=store) as xbl:
            await xbl.login_msa_token(token["access_token"], scope=token["scope"])
            me = await xbl.profiles.me()
            clip = (await xbl.clips.recent(me.xuid, limit=1).to_list())[0]
            done = await xbl.download(clip, os.path.join(tempfile.mkdtemp(), "clip.mp4"))
        if http.is_closed:
            print("the host's client was closed", file=sys.stderr)
            return 1
    if len(seen) != len(sb.requests) or os.listdir(home):
        print(f"requests past the hook: {len(sb.requests) - len(seen)}; written under "
              f"XBOX_HOME: {os.listdir(home)}", file=sys.stderr)
        return 1
    print(f"embedded: {me.gamertag}, {len(seen)} requests through the host's client, "
          f"{done.size} bytes downloaded, store {store.accounts()}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
