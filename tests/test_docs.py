"""The documentation runs: every ``>>>`` example of every page in docs/ is executed against a
sandbox served on 127.0.0.1, and the Sphinx build passes with warnings as errors.

Each page gets what a user's machine would have: ``XBOX_LIVE_BASE_URL`` pointing at a fresh
sandbox (``Sandbox(seed=0).serve()``), an empty ``XBOX_HOME`` token store and a fresh global
``xbox.client``. Examples therefore read exactly like user code, with no test-only arguments.
"""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import xbox
import xbox.exceptions
from xbox.sandbox import Sandbox

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.glob("*.rst"))
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_the_docs_have_the_seed_pages_and_the_guides() -> None:
    names = {p.stem for p in PAGES}
    assert {"index", "authentication", "resources", "exceptions"} <= names
    assert {"quickstart", "signin", "client", "cli", "archiver", "sandbox", "migration"} <= names


@pytest.fixture(autouse=True)
def docs_world_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages show the dates of the seed-0 world as of 2026-11-01 12:00 UTC; a sandbox's
    world otherwise counts back from the day it starts."""
    monkeypatch.setenv("XBOX_SANDBOX_EPOCH", "2026-11-01T12:00:00Z")


@pytest.fixture
def user_machine(tmp_path: Path) -> Iterator[str]:
    """A fresh served sandbox, token store and global client, as a user's program sees them."""
    saved_env = dict(os.environ)
    saved_client = xbox.client
    with Sandbox(seed=0).serve() as served:
        for name in ("MS_LOGIN", "MS_PASSWD"):
            os.environ.pop(name, None)
        os.environ["XBOX_LIVE_BASE_URL"] = served.base_url
        os.environ["XBOX_HOME"] = str(tmp_path / "xbox-home")
        xbox.client = xbox.Client()
        cwd = os.getcwd()
        os.chdir(tmp_path)
        try:
            yield served.base_url
        finally:
            os.chdir(cwd)
            xbox.client.close()
            xbox.client = saved_client
            os.environ.clear()
            os.environ.update(saved_env)


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_page_examples_run(page: Path, user_machine: str) -> None:
    text = page.read_text(encoding="utf-8")
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {"__name__": "__main__"}, page.stem, str(page), 0)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    out: list[str] = []
    runner.run(test, out=out.append)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, "".join(out)


def test_pages_with_examples() -> None:
    # The pages that teach code must keep teaching it with examples that run.
    parser = doctest.DocTestParser()
    for name in ("index", "authentication", "resources", "exceptions", "quickstart", "signin",
                 "client", "archiver", "sandbox", "migration"):
        examples = parser.get_examples((DOCS / f"{name}.rst").read_text(encoding="utf-8"))
        assert examples, f"docs/{name}.rst has no >>> examples"


def test_every_exception_is_documented() -> None:
    page = (DOCS / "exceptions.rst").read_text(encoding="utf-8")
    documented = re.findall(r"^\.\. autoexception:: xbox\.exceptions\.(\w+)", page, re.M)
    assert sorted(documented) == sorted(xbox.exceptions.__all__)
    seed = ["XboxException", "AuthenticationException", "InvalidRequest", "NotFoundException",
            "GamertagNotFound", "ClipNotFound"]
    assert documented[:len(seed)] == seed


def test_user_test_example_passes(tmp_path: Path) -> None:
    """docs/examples/ holds whole test files users can copy; they must pass as written."""
    env = {k: v for k, v in os.environ.items() if k != "XBOX_LIVE_BASE_URL"}
    env["XBOX_HOME"] = str(tmp_path / "home")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir",
         str(DOCS / "examples"), str(DOCS / "examples")],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout


# Sphinx-internal deprecations (napoleon under Sphinx 9) are not warnings of our docs.
@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::PendingDeprecationWarning")
def test_sphinx_build_has_no_warnings(tmp_path: Path) -> None:
    """What ``make docs`` runs: -W turns every warning (a broken reference, a docstring that
    does not parse, a page left out of the toctree) into a failure."""
    from sphinx.cmd.build import build_main

    out = tmp_path / "html"
    status = build_main(["-W", "--keep-going", "-q", "-b", "html", "-d", str(tmp_path / "doctrees"),
                         str(DOCS), str(out)])
    assert status == 0
    assert (out / "index.html").is_file()
    html = (out / "authentication.html").read_text(encoding="utf-8")
    assert "authenticate" in html and "authenticated" in html


CONSOLE_PAGES = ("cli", "archiver")


def _console_examples() -> list[tuple[str, int, list[str], list[str]]]:
    """``$ xbox --sandbox ...`` lines of docs/cli.rst and docs/archiver.rst:
    (command, exit code, shown output, earlier commands of the same code block).

    The commands of one ``code-block`` share a folder, as in one shell session: a command is
    run after the commands above it in its block (``archive status`` after ``archive``).
    """
    examples: list[tuple[str, int, list[str], list[str]]] = []
    for name in CONSOLE_PAGES:
        current: tuple[str, int, list[str], list[str]] | None = None
        indent = 0
        block: list[str] = []
        for raw in (DOCS / f"{name}.rst").read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if line.startswith(".. code-block::"):
                block = []
            if line.startswith("$ xbox --sandbox"):
                command, _, comment = line[2:].partition("#")
                code = int(comment.split("exit")[1]) if "exit" in comment else 0
                current = (command.strip(), code, [], list(block))
                indent = len(raw) - len(raw.lstrip())
                block.append(command.strip())
                examples.append(current)
            elif (current is not None and line and not line.startswith(("$", ".. ", "``"))
                  and len(raw) - len(raw.lstrip()) >= indent):
                current[2].append(line)  # shown output: under the command, up to a blank line
            else:
                current = None
    return examples


CONSOLE_EXAMPLES = _console_examples()


def test_cli_page_documents_every_command() -> None:
    from xbox.cli import cli

    page = (DOCS / "cli.rst").read_text(encoding="utf-8")
    missing = [name for name in cli.commands if f"``{name}" not in page]
    assert not missing, f"docs/cli.rst does not document: {missing}"
    assert len(CONSOLE_EXAMPLES) >= 5
    codes = {code for _, code, _, _ in CONSOLE_EXAMPLES}
    assert {0, 2, 3} <= codes, "the examples show success, a usage error and a not-found"


@pytest.mark.parametrize("command,exit_code,shown,before", CONSOLE_EXAMPLES,
                         ids=[c for c, _, _, _ in CONSOLE_EXAMPLES])
def test_cli_examples_run(command: str, exit_code: int, shown: list[str], before: list[str],
                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shlex

    from click.testing import CliRunner

    from xbox.cli import cli

    # A fresh folder per example, as a user's shell would be (``--dest captures``, ``-o``).
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XBOX_HOME", str(tmp_path / "xbox-home"))
    monkeypatch.delenv("XBOX_LIVE_BASE_URL", raising=False)
    for earlier in before:
        setup = CliRunner().invoke(cli, shlex.split(earlier)[1:])
        assert setup.exception is None or isinstance(setup.exception, SystemExit), setup.output
    result = CliRunner().invoke(cli, shlex.split(command)[1:])
    output = result.output
    assert result.exit_code == exit_code, output
    for line in shown:
        pattern = ".*".join(re.escape(part) for part in line.split("..."))
        assert re.search(pattern, output), f"{line!r} not in the output of {command!r}:\n{output}"


def test_migration_table_names_exist() -> None:
    """Every ``xbl.service.method`` on the right of docs/migration.rst's table exists."""
    import xbox

    page = (DOCS / "migration.rst").read_text(encoding="utf-8")
    names = re.findall(r'"``xbl\.([\w.]+)\(', page)
    assert len(names) >= 20
    with xbox.Client(token_store=None) as xbl:
        missing = []
        for dotted in names:
            target: object = xbl
            for part in dotted.split("."):
                target = getattr(target, part, None)
            if not callable(target):
                missing.append(dotted)
    assert not missing, f"docs/migration.rst maps to names that do not exist: {missing}"
