"""``python -m xbox``: the same as the ``xbox`` command."""

from __future__ import annotations

from xbox.cli import main

if __name__ == "__main__":
    main()
