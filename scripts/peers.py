"""`make peers`: the clients people use against Xbox Live today, against the served sandbox.

xbox-webapi 2.1.0 and python-xbox 0.4.0 (PyPI) each sign in with their own flows (OAuth2
authorization code through the sign-in page, refresh, XAL/SISU with every app identity they
ship) and call every method of every provider, against ``xbox sandbox serve`` on 127.0.0.1 in
today's era and in ``--era 2018``. A method passes when the peer parses the answer.

    python scripts/peers.py                         # what `make peers` runs
    python scripts/peers.py --peers python-xbox --eras 2025 --failures-only

The peers run in their own virtualenv (``bench/.venv-peers``; xbox-webapi's module is
``xbox.webapi``), one ``scripts/peers_worker.py`` process per peer and era, each against a
fresh sandbox (so that one peer's calls never use up the other's rate limits). This process
only serves, hands each worker the world's ids, and judges.

The only failures allowed are listed in ``scripts/peers_allowed.toml``, each with its reason,
and only where Xbox Live fails the peer too. Exit status 1 on anything unexpected: a failure
not listed, a listed failure that now passes, or a listed one that names no step that ran.
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORKER = ROOT / "scripts" / "peers_worker.py"
ALLOWED = ROOT / "scripts" / "peers_allowed.toml"
PEERS_PYTHON = ROOT / "bench" / ".venv-peers" / "bin" / "python"
PEERS = ("python-xbox", "xbox-webapi")
ERAS = ("2025", "2018")
SERVE_TIMEOUT = 30.0  # seconds for `xbox sandbox serve` to say where it listens
WORKER_TIMEOUT = 300.0  # seconds for one peer's whole run (about 100 steps of 30 s at most)


# -- the world's ids the peers' methods are called with ---------------------------------------------

def world_facts(seed: int = 0) -> dict[str, Any]:
    """Ids from the sandbox's world (the same for every era): JoeAlcorn and his friends,
    titles, captures, consoles, conversations; the sign-in's e-mail and password."""
    from xbox.sandbox import JOE_EMAIL, JOE_PASSWORD, World
    from xbox.sandbox.services.cqs import HEADEND_ID
    from xbox.sandbox.world_services import JOE_CONSOLES, NETFLIX, ServicesWorld

    world = World(seed)
    joe = world.joe
    services = ServicesWorld(world)
    friends = [world.by_xuid[x] for x in joe.friends[:3]]
    one = [t for t in joe.titles if not t.mediahub_only and not _is_360(t.scid)]
    title = next(t for t in one if t.name.startswith("Halo 5")) if any(
        t.name.startswith("Halo 5") for t in one) else one[0]
    title_360 = next(t for t in joe.titles if _is_360(t.scid))
    pinned = {p.item_id for p in services.pins.get(joe.xuid, [])}
    to_pin = next(f for f in services.facts.values()
                  if f.pfn not in pinned and not _is_360(f.title.scid))
    partner = next(x for c in services.conversations_of(joe.xuid) for x in c.participants
                   if x not in (joe.xuid, "0"))
    on = next(c for c in JOE_CONSOLES if c[3] == "On")
    free = "PeersCheck" + str(seed)
    assert world.account_by_gamertag(free) is None
    return {
        "email": JOE_EMAIL, "password": JOE_PASSWORD,
        "xuid": joe.xuid, "gamertag": joe.gamertag,
        "friend_xuid": friends[0].xuid, "friend_gamertag": friends[0].gamertag,
        "friend_xuids": [f.xuid for f in friends],
        "title_id": str(title.title_id), "title_name": title.name, "scid": title.scid,
        "achievement_id": "1",  # the sandbox numbers a title's achievements from 1, as Xbox One does
        "title_id_360": str(title_360.title_id),
        "clip_title_id": str(joe.clips[0].title.title_id),
        "screenshot_title_id": str(joe.screenshots[0].title.title_id),
        "pfn": services.facts[title.title_id].pfn,
        "pfns": [services.facts[title.title_id].pfn, to_pin.pfn],
        "big_ids": [services.facts[title.title_id].product_id, NETFLIX.product_id],
        "app_product_id": NETFLIX.product_id,
        "headend_id": HEADEND_ID,
        "console_id": on[0],
        "conversation_xuid": partner,
        "pin": {"Items": [{"Locale": "en-US", "ContentType": "DGame", "Title": to_pin.title.name,
                           "ItemId": to_pin.pfn, "DeviceType": "XboxOne"}]},
        "free_gamertag": free,
    }


def _is_360(scid: str) -> bool:
    """Xbox 360 titles have no service config of their own: their scid is the title id."""
    return scid.startswith("00000000-0000-0000-0000-")


# -- the verdicts (pure) ---------------------------------------------------------------------------

SIGN_INS = ("oauth2", "xal")  # the worker's two passes: each peer's OAuth2 sign-in, its XAL one
RunKey = tuple[str, str, str]  # peer, era, sign-in pass


@dataclass(frozen=True)
class Allowed:
    """One allowed failure: a step of a peer in an era and pass, and why Xbox Live fails it
    too."""

    peer: str
    era: str
    sign_in: str
    name: str
    reason: str


@dataclass(frozen=True)
class Verdict:
    peer: str
    era: str
    sign_in: str
    name: str
    result: str  # pass | allowed | FAIL | PASSES NOW | NOT RUN
    detail: str

    @property
    def unexpected(self) -> bool:
        return self.result not in ("pass", "allowed")


def read_allowed(text: str) -> list[Allowed]:
    """The allowed failures of ``peers_allowed.toml``: ``[[allowed]]`` tables with ``peer``,
    ``eras``, ``steps``, a non-empty ``reason`` and optionally ``sign_ins`` (default: both
    passes); one entry per peer, era, pass and step."""
    out = []
    for n, entry in enumerate(tomllib.loads(text).get("allowed", []), 1):
        missing = sorted({"peer", "eras", "steps", "reason"} - set(entry))
        if missing or not str(entry["reason"]).strip():
            raise ValueError(f"allowed entry {n}: needs peer, eras, steps and a reason "
                             f"(missing: {missing or ['reason']})")
        unknown = set(entry.get("sign_ins", SIGN_INS)) - set(SIGN_INS)
        if unknown:
            raise ValueError(f"allowed entry {n}: sign_ins are {SIGN_INS}, not {sorted(unknown)}")
        for era in entry["eras"]:
            for sign_in in entry.get("sign_ins", SIGN_INS):
                for name in entry["steps"]:
                    out.append(Allowed(entry["peer"], str(era), sign_in, name,
                                       " ".join(entry["reason"].split())))
    return out


def judge(runs: dict[RunKey, list[dict[str, Any]]], allowed: Sequence[Allowed]) -> list[Verdict]:
    """Each step's verdict; then every allowed entry of a run that named no step of it (a
    renamed method, or a typo, would otherwise allow nothing and stay listed)."""
    by_key = {(a.peer, a.era, a.sign_in, a.name): a for a in allowed}
    verdicts = []
    for key, rows in runs.items():
        for row in rows:
            entry = by_key.get((*key, row["name"]))
            if row["ok"]:
                result = "PASSES NOW" if entry else "pass"
                detail = "listed as allowed, but passes" if entry else row["detail"]
            else:
                result = "allowed" if entry else "FAIL"
                detail = row["detail"]
            verdicts.append(Verdict(*key, row["name"], result, detail))
        names = {row["name"] for row in rows}
        verdicts += [Verdict(*key, a.name, "NOT RUN", "listed as allowed, but no such step ran")
                     for a in allowed if (a.peer, a.era, a.sign_in) == key and a.name not in names]
    return verdicts


def table_rows(verdicts: Sequence[Verdict]) -> list[tuple[str, ...]]:
    """One line per peer, era and step: its result in each pass, and the detail that matters
    (what failed, else what passed). Sign-in steps first, then the methods in run order."""
    groups: dict[tuple[str, str, str], dict[str, Verdict]] = {}
    for v in verdicts:
        groups.setdefault((v.peer, v.era, v.name), {})[v.sign_in] = v
    order = {k: n for n, k in enumerate(groups)}
    runs = {k: n for n, k in enumerate(dict.fromkeys(k[:2] for k in groups))}
    lines = []
    for key in sorted(groups, key=lambda k: (runs[k[:2]], not k[2].startswith("sign-in."),
                                             order[k])):
        cells = groups[key]
        failed = {s: v.detail for s, v in cells.items() if v.result != "pass"}
        if not failed:
            detail = next(iter(cells.values())).detail
        elif len(set(failed.values())) == 1 and len(failed) == len(cells):
            detail = next(iter(failed.values()))
        else:
            detail = "; ".join(f"[{s}] {d}" for s, d in failed.items())
        lines.append((*key, *(cells[s].result if s in cells else "" for s in SIGN_INS), detail))
    return lines


def table(verdicts: Sequence[Verdict], *, failures_only: bool = False, width: int = 110) -> str:
    """The verdicts as a plain-text table: peer, era, step, a column per pass, detail."""
    head = ("peer", "era", "step", *SIGN_INS, "detail")
    lines = [r for r in table_rows(verdicts)
             if not failures_only or any(c not in ("pass", "") for c in r[3:-1])]
    widths = [max(len(x) for x in col) for col in zip(head, *lines, strict=False)][:-1]

    def line(cells: Sequence[str]) -> str:
        detail = cells[-1] if len(cells[-1]) <= width else cells[-1][:width - 1] + "…"
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)) + "  " + detail

    return "\n".join([line(head), "-" * (sum(widths) + 2 * len(widths) + 6),
                      *(line(r) for r in lines)])


def summary(verdicts: Sequence[Verdict]) -> str:
    """Per peer, era and pass: the provider methods and sign-in steps that pass."""
    lines = []
    for key in dict.fromkeys((v.peer, v.era, v.sign_in) for v in verdicts):
        mine = [v for v in verdicts if (v.peer, v.era, v.sign_in) == key]
        ran = [v for v in mine if v.result != "NOT RUN"]
        methods = [v for v in ran if not v.name.startswith("sign-in.")]
        steps = [v for v in ran if v.name.startswith("sign-in.")]

        def passed(vs: list[Verdict]) -> int:
            return sum(v.result in ("pass", "PASSES NOW") for v in vs)

        lines.append(f"{key[0]} {key[1]} {key[2]}: methods {passed(methods)} of {len(methods)} "
                     f"pass, sign-in {passed(steps)} of {len(steps)}; "
                     f"{sum(v.result == 'allowed' for v in mine)} allowed failures, "
                     f"{sum(v.unexpected for v in mine)} unexpected")
    return "\n".join(lines)


# -- serving and running -----------------------------------------------------------------------------

@contextmanager
def served(era: str, seed: int = 0) -> Iterator[str]:
    """``xbox sandbox serve`` on a free loopback port, as a user starts it; its base URL.
    Stopped with SIGTERM (its orderly shutdown), killed if it does not stop in 10 s."""
    cmd = [sys.executable, "-m", "xbox", "-q", "sandbox", "serve", "--host", "127.0.0.1",
           "--port", "0", "--seed", str(seed), "--era", era]
    # stderr to a file: a pipe nobody reads could fill and stall the server.
    with tempfile.TemporaryFile("w+") as errors:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors, text=True,
                                env={**os.environ, "XBOX_SANDBOX_ERA": era})
        try:
            assert proc.stdout is not None
            with selectors.DefaultSelector() as sel:
                sel.register(proc.stdout, selectors.EVENT_READ)
                ready = sel.select(SERVE_TIMEOUT)
            base = proc.stdout.readline().strip() if ready else ""
            if not base.startswith("http://127.0.0.1:"):
                errors.seek(0)
                raise RuntimeError(f"xbox sandbox serve --era {era} gave no base URL within "
                                   f"{SERVE_TIMEOUT:.0f} s: {base!r} {errors.read()[-500:]}")
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def worker_env(environ: Mapping[str, str], home: str) -> dict[str, str]:
    """The environment of a peers' worker: ``home`` as its home and data folder (the peers'
    script modules create a data folder on import), and no ``PYTHONPATH`` (our ``xbox`` on
    it would hide xbox-webapi's ``xbox.webapi``)."""
    env = {k: v for k, v in environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(XDG_DATA_HOME=home, HOME=home)
    return env


def run_peer(peer: str, sign_in: str, base: str, facts: dict[str, Any],
             python: Path) -> list[dict[str, Any]]:
    """One pass's rows from its worker (a crash or a time-out is one failing row)."""
    with tempfile.TemporaryDirectory(prefix="peers-") as home:
        env = worker_env(os.environ, home)
        try:
            done = subprocess.run([str(python), str(WORKER)], input=json.dumps(
                {"peer": peer, "sign_in": sign_in, "base_url": base, "facts": facts}), capture_output=True,
                text=True, timeout=WORKER_TIMEOUT, env=env)
        except subprocess.TimeoutExpired:
            return [{"name": "worker", "ok": False,
                     "detail": f"no result within {WORKER_TIMEOUT:.0f} s"}]
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return [{"name": "worker", "ok": False,
                 "detail": f"exit {done.returncode}: {' | '.join(tail)}"}]
    rows: list[dict[str, Any]] = json.loads(done.stdout)["rows"]
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated peers")
    parser.add_argument("--eras", default=",".join(ERAS), help="comma-separated eras")
    parser.add_argument("--allowed", type=Path, default=ALLOWED, help="allowed failures (TOML)")
    parser.add_argument("--peers-python", type=Path, default=PEERS_PYTHON,
                        help="the peers' virtualenv's python (make bench/.venv-peers/.installed)")
    parser.add_argument("--failures-only", action="store_true", help="leave passing rows out")
    parser.add_argument("--json", action="store_true", help="the verdicts as JSON on stdout")
    args = parser.parse_args(argv)
    if not args.peers_python.exists():
        parser.error(f"{args.peers_python} is missing: run `make bench/.venv-peers/.installed`")
    allowed = read_allowed(args.allowed.read_text())
    peers, eras = args.peers.split(","), args.eras.split(",")
    if not set(peers) <= set(PEERS) or not set(eras) <= {*ERAS, "2014"}:
        parser.error(f"peers are {', '.join(PEERS)}; eras are 2025, 2018, 2014")
    started = time.perf_counter()
    facts = world_facts()
    runs: dict[RunKey, list[dict[str, Any]]] = {}
    for era in eras:
        for peer in peers:
            for sign_in in SIGN_INS:
                # A fresh sandbox per pass: one pass's calls never use up another's limits.
                print(f"peers: {peer}, {sign_in} sign-in, era {era}", file=sys.stderr, flush=True)
                with served(era) as base:
                    runs[(peer, era, sign_in)] = run_peer(peer, sign_in, base, facts,
                                                          args.peers_python)
    verdicts = judge(runs, [a for a in allowed if a.peer in peers and a.era in eras])
    bad = [v for v in verdicts if v.unexpected]
    if args.json:
        print(json.dumps([v.__dict__ for v in verdicts], indent=1))
    else:
        print(table(verdicts, failures_only=args.failures_only))
        print()
        print(summary(verdicts))
        print(f"{len(bad)} unexpected result(s) in {time.perf_counter() - started:.0f} s"
              + ("" if bad else ": the peers work against the sandbox as against Xbox Live"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
