"""An emulator of the Xbox Live services, faithful on the wire, for tests and demos.

    from xbox.sandbox import Sandbox
    sandbox = Sandbox(seed=0)
    client = xbox.Client(base_url=sandbox.base_url, transport=sandbox.transport())

or over HTTP: ``with sandbox.serve() as served: ... served.base_url ...``, or
``xbox sandbox serve --port 8080`` from a shell.
"""

from __future__ import annotations

from ._tokens import Lifetimes
from .app import Fault, FaultKind, Sandbox
from .asgi import ServedSandbox
from .eras import DEFAULT_ERA, ERA_ENV, ERAS
from .world import JOE_EMAIL, JOE_GAMERTAG, JOE_PASSWORD, JOE_XUID, World

__all__ = [
    "DEFAULT_ERA",
    "ERAS",
    "ERA_ENV",
    "JOE_EMAIL",
    "JOE_GAMERTAG",
    "JOE_PASSWORD",
    "JOE_XUID",
    "Fault",
    "FaultKind",
    "Lifetimes",
    "Sandbox",
    "ServedSandbox",
    "World",
]
