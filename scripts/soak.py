"""`make soak`: archive a large sandbox world under random faults and SIGKILLs, then prove
that nothing was lost.

The sandbox is served on 127.0.0.1 from this process. For the given time, the archiver
(`xbox archive`, a child process, exactly as a user runs it) is started over and over on one
archive folder; while it runs, random faults are injected into the sandbox (5xx bursts,
429s, resets before and mid-body, truncated and dripping bodies, hangs, expired media
signatures, corrupt gzip) and the child is killed with SIGKILL at a random moment. Then the
faults stop, one last run completes the archive, and every capture of the world is checked:
in the catalogue as archived, on disk with exactly the bytes the sandbox serves (sha256),
nothing else left behind (no .part file, no error page saved as media), and
`xbox archive verify` agrees.

    python scripts/soak.py --minutes 10          # what `make soak MINUTES=10` runs
    python scripts/soak.py --seconds 20 --clips 60   # the short run CI makes (tests/test_soak.py)

Prints a report and exits 0 when every capture was verified and nothing was lost, 1 if not.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xbox
from xbox.archive import Catalogue
from xbox.sandbox import Fault, FaultKind, Sandbox
from xbox.sandbox.world import World

# What the network does to the archiver while it runs. Hangs are kept short so a run is
# killed or recovers within seconds; every kind is one the archiver must survive.
FAULTS = (
    FaultKind.SERVER_ERROR, FaultKind.RATE_LIMITED, FaultKind.RATE_LIMITED_NO_RETRY_AFTER,
    FaultKind.TRANSPORT_ERROR, FaultKind.RESET, FaultKind.RESET_MID_BODY, FaultKind.TRUNCATED,
    FaultKind.CONTENT_LENGTH_SHORT, FaultKind.CONTENT_LENGTH_LONG, FaultKind.HANG_BODY,
    FaultKind.SLOW_DRIP, FaultKind.DELAY, FaultKind.EXPIRED_SIGNATURE, FaultKind.CORRUPT_GZIP,
)
MEDIA = ("gameclipscontent", "screenshotscontent")
API = ("gameclipsmetadata.xboxlive.com", "screenshotsmetadata.xboxlive.com",
       "mediahub.xboxlive.com", "profile.xboxlive.com")


@dataclass
class Report:
    seconds: float = 0.0
    runs: int = 0
    kills: int = 0
    finished_runs: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    captures: int = 0
    verified: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.verified == self.captures > 0


def _random_fault(rng: random.Random) -> Fault:
    kind = rng.choice(FAULTS)
    host = rng.choice(MEDIA + API)
    return Fault(kind=kind, times=rng.randint(1, 3), host=None if host in MEDIA else host,
                 path_contains=None, seconds=0.5, rate=rng.choice((20_000, 200_000)),
                 retry_after=0.2, at=rng.randint(1, 4000),
                 **({"status": rng.choice((500, 502, 503, 504))}
                    if kind == FaultKind.SERVER_ERROR else {}))


def _archive(base_url: str, dest: Path, home: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "XBOX_LIVE_BASE_URL": base_url, "XBOX_HOME": home}
    return subprocess.Popen([sys.executable, "-m", "xbox", "-q", "archive", "JoeAlcorn",
                             "--dest", str(dest), "--concurrency", "4"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def soak(seconds: float, *, clips: int = 600, screenshots: int = 200, seed: int = 0,
         dest: Path | None = None) -> Report:
    """Run the soak for ``seconds``; return what happened and what was verified."""
    rng = random.Random(seed)
    report = Report()
    world = World(seed, joe_clips=clips, joe_screenshots=screenshots)
    sb = Sandbox(seed=seed, world=world, rate_limits=False, device_code_pending_polls=0)
    with tempfile.TemporaryDirectory() as home, sb.serve() as served:
        dest = dest or Path(home) / "archive"
        os.environ["XBOX_HOME"] = home
        with xbox.Client(base_url=served.base_url) as xbl:  # the children use this sign-in
            xbl.login_device_code(on_code=lambda code: None)
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            child = _archive(served.base_url, dest, home)
            report.runs += 1
            kill_at = time.monotonic() + rng.uniform(0.3, 4.0)
            while child.poll() is None and time.monotonic() < kill_at:
                if rng.random() < 0.3:
                    fault = _random_fault(rng)
                    sb.faults.append(fault)
                    report.faults[str(fault.kind)] = report.faults.get(str(fault.kind), 0) + 1
                time.sleep(0.1)
            if child.poll() is None:
                os.kill(child.pid, signal.SIGKILL)
                report.kills += 1
            else:
                report.finished_runs += 1
            child.wait(timeout=30)
            assert child.stderr is not None
            child.stderr.close()
        sb.faults.clear()
        final = _archive(served.base_url, dest, home)
        _, err = final.communicate(timeout=600)
        if final.returncode != 0:
            report.problems.append(f"the last, fault-free run exited {final.returncode}: "
                                   f"{err.decode(errors='replace')[-500:]}")
        report.seconds = time.monotonic() - start
        _verify(sb, dest, home, served.base_url, report)
    return report


def _verify(sb: Sandbox, dest: Path, home: str, base_url: str, report: Report) -> None:
    """Every published capture of Joe archived with the sandbox's exact bytes; nothing else."""
    joe = sb.world.joe
    wanted = [c for c in (*joe.clips, *joe.screenshots, *joe.mediahub_only_clips,
                          *joe.mediahub_only_screenshots) if c.state == "Published"]
    report.captures = len(wanted)
    with Catalogue(dest, readonly=True) as catalogue:
        rows = {row.id: row for row in catalogue.rows()}
    for capture in wanted:
        row = rows.get(capture.id)
        if row is None or row.status != "done" or row.path is None:
            report.problems.append(f"{capture.id}: not archived ({row.status if row else 'unknown'})")
            continue
        data = (dest / row.path).read_bytes()
        if hashlib.sha256(data).hexdigest() != hashlib.sha256(capture.media_bytes()).hexdigest():
            report.problems.append(f"{capture.id}: the file on disk is not the capture")
            continue
        report.verified += 1
    leftovers = [str(p.relative_to(dest)) for p in dest.rglob("*.part")]
    if leftovers:
        report.problems.append(f"partial files left behind: {leftovers[:5]}")
    env = {**os.environ, "XBOX_LIVE_BASE_URL": base_url, "XBOX_HOME": home}
    verify = subprocess.run([sys.executable, "-m", "xbox", "archive", "verify", "--dest", str(dest)],
                            env=env, capture_output=True, text=True, timeout=600)
    if verify.returncode != 0:
        report.problems.append(f"xbox archive verify failed: {verify.stdout[-300:]}{verify.stderr[-300:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=None)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--clips", type=int, default=600)
    parser.add_argument("--screenshots", type=int, default=200)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    seconds = args.seconds if args.seconds is not None else 60 * (args.minutes or 5)
    report = soak(seconds, clips=args.clips, screenshots=args.screenshots, seed=args.seed)
    summary: dict[str, Any] = {
        "seed": args.seed, "seconds": round(report.seconds, 1), "runs": report.runs,
        "kills_survived": report.kills, "runs_finished_under_faults": report.finished_runs,
        "faults_injected": report.faults, "captures": report.captures,
        "verified": report.verified, "lost": report.captures - report.verified,
        "problems": report.problems, "ok": report.ok}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"soak (seed {args.seed}): {report.seconds:.0f} s, {report.runs} runs, "
              f"{report.kills} SIGKILLs survived, {sum(report.faults.values())} faults injected")
        print(f"verified {report.verified} of {report.captures} captures byte for byte; "
              f"lost {report.captures - report.verified}")
        for problem in report.problems:
            print(f"problem: {problem}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
