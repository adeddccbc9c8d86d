"""Row 7: start-up, as whole processes: ``python -c "import xbox"``, ``xbox --help`` and
``xbox --version`` against ``python -c "import httpx"`` (the floor: our client is built on it).

Each round runs hyperfine (``-N``, no shell; 2 warm-ups, ``--startup-runs`` runs per
command), the commands in rotated order; a round's ratio is its medians' ratio. Without
hyperfine the same is done with alternated ``subprocess`` runs. The CPU ratio (user + system
of the process) is in the notes. After the rows, ``-X importtime`` lists the ten imports with
the most time of their own, for ``import xbox`` and for ``xbox --help``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import harness
from harness import Row, Spread

GOALS = {"import xbox": 1.3, "xbox --help": 1.5, "xbox --version": 1.5}
BASELINE = "import httpx"

#: The ``-X importtime`` listings of the last run, printed after the table.
LISTINGS: list[str] = []


def commands() -> dict[str, list[str]]:
    python = sys.executable
    cli = str(Path(python).with_name("xbox"))
    return {BASELINE: [python, "-c", "import httpx"], "import xbox": [python, "-c", "import xbox"],
            "xbox --help": [cli, "--help"], "xbox --version": [cli, "--version"]}


Timings = dict[str, tuple[float, float]]  # {command: (median wall, mean CPU)}


def hyperfine_round(cmds: dict[str, list[str]], order: list[str], runs: int,
                    env: dict[str, str]) -> Timings:
    """{name: (median wall, mean CPU)} from one hyperfine run of the commands in ``order``."""
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        argv = ["hyperfine", "-N", "--warmup", "2", "--runs", str(runs), "--style", "none",
                "--export-json", out.name]
        argv += [shlex.join(cmds[name]) for name in order]
        subprocess.run(argv, check=True, capture_output=True, env=env)
        results = json.loads(Path(out.name).read_text())["results"]
    return {name: (r["median"], r["user"] + r["system"]) for name, r in zip(order, results, strict=True)}


def subprocess_round(cmds: dict[str, list[str]], order: list[str], runs: int,
                     env: dict[str, str]) -> Timings:
    """The same without hyperfine: runs alternated command by command."""
    walls: dict[str, list[float]] = {n: [] for n in order}
    cpus: dict[str, list[float]] = {n: [] for n in order}
    for i in range(runs + 2):
        for name in order:
            start = time.perf_counter()
            proc = subprocess.Popen(cmds[name], stdout=subprocess.DEVNULL, env=env)
            _, _, usage = os.wait4(proc.pid, 0)
            if i >= 2:
                walls[name].append(time.perf_counter() - start)
                cpus[name].append(usage.ru_utime + usage.ru_stime)
    return {n: (statistics.median(walls[n]), statistics.mean(cpus[n])) for n in order}


def bytecode_ready() -> dict[str, str]:
    """Compile xbox's modules and give the environment to start processes in.

    An installed wheel has its ``.pyc`` files; an editable install writes them on first
    import, unless ``PYTHONDONTWRITEBYTECODE`` is set (as on the project's machines), and
    then every ``import xbox`` would compile from source while httpx (installed by pip, with
    its ``.pyc``) would not.
    """
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("xbox")
    assert spec is not None and spec.submodule_search_locations
    for folder in spec.submodule_search_locations:
        compileall.compile_dir(folder, quiet=1)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run(args: argparse.Namespace) -> list[Row]:
    env = bytecode_ready()
    cmds = commands()
    tool = "hyperfine" if shutil.which("hyperfine") else "subprocess"
    measure = hyperfine_round if tool == "hyperfine" else subprocess_round
    names = list(cmds)
    rounds = [measure(cmds, harness.rotated(names, r), args.startup_runs, env)
              for r in range(args.startup_rounds)]
    rows = []
    for name, goal in GOALS.items():
        wall = Spread.of([r[name][0] / r[BASELINE][0] for r in rounds])
        cpu = Spread.of([r[name][1] / r[BASELINE][1] for r in rounds])
        base = statistics.median(r[BASELINE][0] for r in rounds) * 1e3
        mine = statistics.median(r[name][0] for r in rounds) * 1e3
        rows.append(Row("7", f"start-up: `{name}` ÷ `import httpx` (whole processes, {tool})",
                        "wall ratio", wall, goal,
                        f"{mine:.0f} ms vs {base:.0f} ms; CPU ratio {cpu.text()}"))
    LISTINGS.clear()
    LISTINGS.append(importtime("import xbox", [sys.executable, "-X", "importtime", "-c", "import xbox"],
                               env))
    LISTINGS.append(importtime("xbox --help", [sys.executable, "-X", "importtime", "-m", "xbox",
                                               "--help"], env))
    return rows


def importtime(title: str, argv: list[str], env: dict[str, str], top: int = 10) -> str:
    """The ``top`` imports with the most self time, as a small markdown table."""
    subprocess.run(argv, capture_output=True, check=True, env=env)  # warm the file cache
    done = subprocess.run(argv, capture_output=True, text=True, check=True, env=env)
    entries = []
    total = 0
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:"):].split("|")
        entries.append((int(self_us), int(cumulative_us), name.strip()))
        if not name[1:].startswith(" "):  # a top-level import: its tree counts once
            total += int(cumulative_us)
    lines = [f"`-X importtime` for `{title}`: {len(entries)} modules, {total / 1e3:.0f} ms in "
             f"all; the top {top} by own time:", "",
             "| self ms | cumulative ms | module |", "|---|---|---|"]
    for self_us, cumulative_us, name in sorted(entries, reverse=True)[:top]:
        lines.append(f"| {self_us / 1e3:.1f} | {cumulative_us / 1e3:.1f} | `{name}` |")
    return "\n".join(lines)
