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

import importlib
import logging
import sys
import types
from typing import Any


def _defer_httpx_cli() -> None:
    """Keep ``import xbox`` light: httpx imports its own command-line module, and with it
    click, rich and pygments (about 90 ms), whenever they are installed, as they are for
    our CLI. Library users never call ``httpx.main``, so a stand-in takes that module's
    place until someone does; calling it then imports the real one."""
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    stand_in = types.ModuleType("httpx._main")

    def main(*args: Any, **kwargs: Any) -> Any:
        sys.modules.pop("httpx._main", None)
        return importlib.import_module("httpx._main").main(*args, **kwargs)

    stand_in.main = main  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = stand_in


_defer_httpx_cli()

from . import exceptions  # noqa: E402
from ._async.client import AsyncClient  # noqa: E402
from ._core.limits import Limit  # noqa: E402
from ._core.retry import RetryPolicy  # noqa: E402
from ._sync.client import Client  # noqa: E402
from .auth.store import TokenStore  # noqa: E402
from .exceptions import (  # noqa: E402
    AuthenticationException,
    ClipNotFound,
    GamertagNotFound,
    InvalidRequest,
    NotFoundException,
    XboxException,
)
from .resource import Clip, GamerProfile  # noqa: E402

__all__ = [
    "AsyncClient",
    "AuthenticationException",
    "Client",
    "Clip",
    "ClipNotFound",
    "GamerProfile",
    "GamertagNotFound",
    "InvalidRequest",
    "Limit",
    "NotFoundException",
    "RetryPolicy",
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
