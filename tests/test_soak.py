"""The soak, short: the archiver under random faults and SIGKILLs for 20 seconds against a
served sandbox, then every capture verified byte for byte (``make soak`` runs it for minutes;
scripts/soak.py says how)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "soak.py"


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_short_soak_loses_nothing() -> None:
    done = subprocess.run([sys.executable, str(SCRIPT), "--seconds", "20", "--clips", "60",
                           "--screenshots", "20", "--seed", "7", "--json"],
                          capture_output=True, text=True, timeout=300)
    report = json.loads(done.stdout)
    assert done.returncode == 0, report
    assert report["kills_survived"] >= 2  # really killed mid-run, more than once
    assert sum(report["faults_injected"].values()) > 0
    assert report["problems"] == [] and report["lost"] == 0
    assert report["verified"] == report["captures"] > 0
