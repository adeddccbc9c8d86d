"""`make demo`: the main jobs against the embedded sandbox, end to end, with no account.

1. The python-xbox quickstart: starts the sandbox on a free 127.0.0.1 port, points
   XBOX_LIVE_BASE_URL at it, signs in with the legacy e-mail + password flow and prints a
   profile and its newest clips.
2. The archiver, exactly as a user types it:
   ``xbox --sandbox archive JoeAlcorn --dest ./demo-archive`` (sign-in included), then
   ``xbox --sandbox archive status --dest ./demo-archive``. Run it twice: the second run
   finds everything up to date.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

from xbox.sandbox import JOE_EMAIL, JOE_PASSWORD, Sandbox


def main() -> int:
    with Sandbox(seed=0).serve() as served, tempfile.TemporaryDirectory() as home:
        os.environ["XBOX_LIVE_BASE_URL"] = served.base_url
        os.environ["XBOX_HOME"] = home
        print(f"sandbox serving Xbox Live at {served.base_url}")
        import xbox

        xbox.client.authenticate(JOE_EMAIL, JOE_PASSWORD)
        gt = xbox.GamerProfile.from_gamertag("JoeAlcorn")
        print(f"{gt.gamertag} (xuid {gt.xuid}): gamerscore {gt.gamerscore}")
        print(f"gamerpic: {gt.gamerpic}")
        clips = list(gt.clips())
        print(f"{len(clips)} clips; the five newest:")
        for clip in clips[:5]:
            state = "saved" if clip.saved else "unsaved"
            print(f"  {clip.recorded:%Y-%m-%d %H:%M}  {clip.duration:>4}s  {state:<7}  {clip.clip_id}")
        xbox.client.close()
        del os.environ["XBOX_LIVE_BASE_URL"]  # --sandbox starts its own

        dest = "demo-archive"
        for args in (["archive", "JoeAlcorn", "--dest", dest], ["archive", "status", "--dest", dest]):
            command = [sys.executable, "-m", "xbox", "--sandbox", *args]
            print("\n$ xbox --sandbox " + " ".join(args), flush=True)
            done = subprocess.run(command, check=False)
            if done.returncode != 0:
                return done.returncode
        saved = sum(1 for _, _, files in os.walk(dest) for f in files if not f.startswith("."))
        print(f"\n{saved} files under ./{dest}/ (media, thumbnails and JSON sidecars)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
