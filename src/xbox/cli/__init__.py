"""The ``xbox`` command line: a thin layer of click and rich over the sync client.

``import xbox`` never imports this package; ``xbox`` (the console script) and
``python -m xbox`` do, through :mod:`xbox.__main__` (which says how to install click and
rich, the ``cli`` extra, when they are missing).
"""

from __future__ import annotations

from . import (  # noqa: F401  (registers the commands)
    archive,
    archive_verify,
    auth,
    captures,
    consoles,
    friends,
    gamertag,
    messages,
    pins,
    sandbox,
    stats,
    store,
    users,
    watch,
)
from .app import cli

__all__ = ["cli", "main"]


def main() -> None:
    """The console script: run the command group with the process's arguments."""
    cli(prog_name="xbox")
