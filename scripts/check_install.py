"""Run by ``make check-install`` in a fresh virtualenv where ``pip install .`` (no extras)
put xbox: the library alone is installed, it works, and ``xbox`` says how to get the rest.

    python scripts/check_install.py
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

EXTRAS_ONLY = ("click", "rich", "uvicorn")


def main() -> int:
    installed = []
    for name in EXTRAS_ONLY:
        try:
            importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        installed.append(name)
    if installed:
        print(f"pip install . brought {', '.join(installed)}: they belong to extras", file=sys.stderr)
        return 1
    import xbox

    with xbox.Client(token_store=None) as xbl:
        assert not xbl.authenticated
    script = Path(sys.executable).with_name("xbox")  # the console script beside this python
    if not script.exists():
        print("no xbox command was installed", file=sys.stderr)
        return 1
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    expected = "xbox: the command line needs click and rich: pip install 'xbox[cli]'\n"
    if (done.returncode, done.stdout, done.stderr) != (1, "", expected):
        print(f"xbox without its cli extra: exit {done.returncode}, stderr {done.stderr!r}",
              file=sys.stderr)
        return 1
    # A host application embedding the library: its own httpx client, tokens and store.
    embed = subprocess.run([sys.executable, str(Path(__file__).with_name("check_embedding.py"))],
                           capture_output=True, text=True, timeout=120)
    if embed.returncode != 0:
        print(f"embedding without extras failed: {embed.stderr}", file=sys.stderr)
        return 1
    print(f"pip install .: the library alone ({xbox.__version__}); `xbox` says how to get the "
          f"command line; {embed.stdout.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
