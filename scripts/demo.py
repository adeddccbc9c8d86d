"""`make demo`: the main jobs against the embedded sandbox, end to end, with no account.

1. The python-xbox quickstart: starts the sandbox on a free 127.0.0.1 port, points
   XBOX_LIVE_BASE_URL at it, signs in with the legacy e-mail + password flow and prints a
   profile and its newest clips.
2. The archiver, exactly as a user types it:
   ``xbox --sandbox archive JoeAlcorn --dest ./demo-archive`` (sign-in included), then
   ``xbox --sandbox archive status --dest ./demo-archive`` and
   ``xbox archive verify --dest ./demo-archive``. Run it twice: the second run finds
   everything up to date.
3. The last line is the gallery the archive wrote, ``./demo-archive/index.html``: open it in
   a browser to see the captures.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from xbox.sandbox import JOE_EMAIL, JOE_PASSWORD, Sandbox

# The quickstart runs as its own program, as a user's would: ``xbox.client`` is made when
# ``xbox`` is imported and reads XBOX_LIVE_BASE_URL then, so the variable must be set first.
QUICKSTART = f"""
import xbox

xbox.client.authenticate({JOE_EMAIL!r}, {JOE_PASSWORD!r})
gt = xbox.GamerProfile.from_gamertag("JoeAlcorn")
print(f"{{gt.gamertag}} (xuid {{gt.xuid}}): gamerscore {{gt.gamerscore}}")
print(f"gamerpic: {{gt.gamerpic}}")
clips = list(gt.clips())
print(f"{{len(clips)}} clips; the five newest:")
for clip in clips[:5]:
    state = "saved" if clip.saved else "unsaved"
    print(f"  {{clip.recorded:%Y-%m-%d %H:%M}}  {{clip.duration:>4}}s  {{state:<7}}  {{clip.clip_id}}")
"""


def main() -> int:
    with Sandbox(seed=0).serve() as served, tempfile.TemporaryDirectory() as home:
        os.environ["XBOX_HOME"] = home
        print(f"sandbox serving Xbox Live at {served.base_url}", flush=True)
        env = {**os.environ, "XBOX_LIVE_BASE_URL": served.base_url}
        done = subprocess.run([sys.executable, "-c", QUICKSTART], env=env, check=False)
        if done.returncode != 0:
            return done.returncode
        os.environ.pop("XBOX_LIVE_BASE_URL", None)  # --sandbox starts its own

        dest = "demo-archive"
        for args in (["archive", "JoeAlcorn", "--dest", dest], ["archive", "status", "--dest", dest],
                     ["archive", "verify", "--dest", dest]):
            command = [sys.executable, "-m", "xbox", "--sandbox", *args]
            print("\n$ xbox --sandbox " + " ".join(args), flush=True)
            done = subprocess.run(command, check=False)
            if done.returncode != 0:
                return done.returncode
        saved = sum(1 for _, _, files in os.walk(dest) for f in files if not f.startswith("."))
        print(f"\n{saved} files under ./{dest}/ (media, thumbnails, JSON sidecars and the gallery)")
        gallery = Path(dest, "index.html").resolve()
        if not gallery.is_file():
            print(f"no gallery at {gallery}", file=sys.stderr)
            return 1
        print(f"gallery: {gallery.as_uri()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
