"""``python -m xbox`` and the ``xbox`` command: the command line, when it is installed.

``pip install xbox`` is the library alone; the command line needs click and rich, which
``pip install 'xbox[cli]'`` adds. Without them ``xbox`` says so in one line and exits 1,
instead of a traceback.
"""

from __future__ import annotations

import sys

#: What the ``xbox`` command says when the ``cli`` extra is not installed.
MISSING_CLI = "xbox: the command line needs click and rich: pip install 'xbox[cli]'"


def main() -> None:
    """The console script: run the command line with the process's arguments."""
    try:
        from xbox.cli import main as run
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in ("click", "rich"):
            raise
        print(MISSING_CLI, file=sys.stderr)
        sys.exit(1)
    run()


if __name__ == "__main__":
    main()
