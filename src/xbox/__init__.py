"""xbox: Xbox Live for Python.

The python-xbox API, unchanged::

    import xbox
    xbox.client.authenticate('joe@example.org', 'hunter2')
    gt = xbox.GamerProfile.from_gamertag('JoeAlcorn')

and the modern client, sync and async::

    with xbox.Client() as xbl:
        for clip in xbl.clips.recent(xbl.profiles.get("JoeAlcorn").xuid): ...
"""

from __future__ import annotations

import logging

from . import exceptions, resource
from ._async.client import AsyncClient
from ._base_client import DryRun
from ._core.call import PlannedRequest
from ._core.limits import Limit
from ._core.retry import RetryPolicy
from ._response import RawResponse, ResponseInfo
from ._sync.client import Client
from .auth.storage import AsyncTokenStorage, MemoryTokenStore, TokenStorage
from .auth.store import TokenStore
from .auth.tokens import MsaToken, Session
from .exceptions import (
    AuthenticationException,
    ClipNotFound,
    GamertagNotFound,
    InvalidRequest,
    NotFoundException,
    XboxException,
)
from .resource import Clip, GamerProfile

__all__ = [
    "AsyncClient",
    "AsyncTokenStorage",
    "AuthenticationException",
    "Client",
    "Clip",
    "ClipNotFound",
    "DryRun",
    "GamerProfile",
    "GamertagNotFound",
    "InvalidRequest",
    "Limit",
    "MemoryTokenStore",
    "MsaToken",
    "NotFoundException",
    "PlannedRequest",
    "RawResponse",
    "ResponseInfo",
    "RetryPolicy",
    "Session",
    "TokenStorage",
    "TokenStore",
    "XboxException",
    "client",
    "exceptions",
]

__version__ = "1.0.0.dev0"

# A library logs and leaves the handling to the program (logging HOWTO): without this,
# Python's last-resort handler would print the library's warnings on stderr by itself.
logging.getLogger("xbox").addHandler(logging.NullHandler())

#: The global client of the seed API: call ``xbox.client.authenticate()`` (or set
#: ``MS_LOGIN``/``MS_PASSWD``, or run ``xbox login``) and use the resources.
client: Client = Client()


def _seed_client() -> Client:
    # This module's global, as the program left it: `xbox.client = xbox.Client(...)` replaces
    # the client GamerProfile and Clip use.
    return client


resource.seed_client = _seed_client
