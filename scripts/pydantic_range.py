"""Run the models' tests at both ends of the pydantic range that pyproject.toml allows.

    python3 scripts/pydantic_range.py              # `make test-pydantic-range`, in CI
    python3 scripts/pydantic_range.py tests/       # any other tests, at both ends

The lazy validation of the models (``src/xbox/models/_lazy.py``) relies on how pydantic keeps
a model, so ``pyproject.toml`` bounds pydantic on both sides and this proves both ends. The
pydantic requirement of ``[project].dependencies`` must read ``>=LOW,<HIGH``. One scratch
virtualenv gets the project's other dependencies (its extras' too, but for docs and test)
and the test tools of its ``test`` extra;
then, for each end, ``pydantic==LOW`` and the newest ``pydantic<HIGH`` (pydantic pins its
``pydantic-core`` exactly, so pip installs the matching one), and the tests run against
``src/`` (``PYTHONPATH``). Exits non-zero when an end fails or cannot be installed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: What proves the models: lazy against eager for every recorded record and damaged ones,
#: the rules of tests/test_models_pydantic.py, every reader fuzzed, drift through the client.
TESTS = ["tests/test_models_lazy.py", "tests/test_models_pydantic.py", "tests/test_fuzz.py",
         "tests/test_resources.py"]
TEST_TOOLS = ("pytest", "pytest-asyncio", "hypothesis")

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def requirement_name(requirement: str) -> str:
    """The distribution a requirement names, normalized (``httpx[http2]>=0.27`` -> httpx)."""
    found = _NAME.match(requirement)
    if found is None:
        raise ValueError(f"not a requirement: {requirement!r}")
    return re.sub(r"[-_.]+", "-", found.group(1)).lower()


def pydantic_bounds(pyproject: dict[str, object]) -> tuple[str, str]:
    """(LOW, HIGH) of the ``pydantic>=LOW,<HIGH`` requirement of ``[project].dependencies``.

    Raises:
        ValueError: pydantic is not required, or not bounded on both sides.
    """
    project = pyproject.get("project")
    dependencies = project.get("dependencies", []) if isinstance(project, dict) else []
    for requirement in dependencies:
        if requirement_name(requirement) != "pydantic":
            continue
        spec = requirement.split(";", 1)[0][len("pydantic"):]
        low = re.search(r">=\s*([0-9][0-9.]*)", spec)
        high = re.search(r"<\s*([0-9][0-9.]*)", spec)
        if low is None or high is None or "<=" in spec:
            raise ValueError(f"pydantic must be bounded as >=LOW,<HIGH: {requirement!r}")
        return low.group(1), high.group(1)
    raise ValueError("pyproject.toml does not require pydantic")


def other_requirements(pyproject: dict[str, object]) -> list[str]:
    """What the tests need besides pydantic: the project's dependencies and those of its
    extras (the CLI's, the sandbox's...), and the test tools of its ``test`` extra."""
    project = pyproject["project"]
    assert isinstance(project, dict)
    name = requirement_name(project["name"])
    extras: dict[str, list[str]] = project.get("optional-dependencies", {})
    wanted = list(project["dependencies"])
    for extra, requirements in extras.items():
        if extra not in ("test", "docs"):
            wanted += requirements
    tools = {requirement_name(r): r for r in extras.get("test", [])}
    wanted += [tools.get(tool, tool) for tool in TEST_TOOLS]
    out: list[str] = []
    for requirement in wanted:  # (not pydantic, not the project itself: xbox[cli]...)
        if requirement_name(requirement) not in ("pydantic", name) and requirement not in out:
            out.append(requirement)
    return out


def run(argv: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(argv), file=sys.stderr, flush=True)
    subprocess.run(argv, check=True, cwd=cwd, env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tests", nargs="*", default=TESTS, help="what to run at each end")
    args = parser.parse_args(argv)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    low, high = pydantic_bounds(pyproject)
    # (--upgrade: the lowest end is installed by then, and satisfies the highest's range)
    ends = [("lowest", [f"pydantic=={low}"]), ("highest", ["--upgrade", f"pydantic<{high}"])]
    results: list[str] = []
    with tempfile.TemporaryDirectory(prefix="xbox-pydantic-range-") as tmp:
        venv = Path(tmp) / "venv"
        python = str(venv / "bin" / "python")
        pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        run([sys.executable, "-m", "venv", str(venv)])
        run([*pip, *other_requirements(pyproject)])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])])}
        for end, requirement in ends:
            start = time.monotonic()
            step = f"installing {requirement[-1]}"
            try:
                run([*pip, *requirement])
                versions = subprocess.run(
                    [python, "-c", "import pydantic, pydantic_core; "
                     "print(pydantic.VERSION, pydantic_core.__version__)"],
                    check=True, capture_output=True, text=True).stdout.split()
                print(f"== {end} end: pydantic {versions[0]}, pydantic-core {versions[1]}",
                      file=sys.stderr, flush=True)
                step = f"the tests at pydantic {versions[0]}"
                run([python, "-m", "pytest", "-q", "--disable-warnings", "-p", "no:cacheprovider",
                     *args.tests],
                    cwd=ROOT, env=env)
            except subprocess.CalledProcessError as exc:
                results.append(f"{end} end: FAILED: {step} (exit status {exc.returncode})")
                continue
            results.append(f"{end} end: pydantic {versions[0]} (pydantic-core {versions[1]}) "
                           f"passed in {time.monotonic() - start:.0f} s")
    for line in results:
        print(line)
    return 1 if any("FAILED" in line for line in results) else 0


if __name__ == "__main__":
    sys.exit(main())
