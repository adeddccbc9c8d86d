"""The package's structure, read from its source: no import cycle at run time, a command line
that uses only the library's public names, and an install whose extras are extras.

Imports are read from every module's syntax tree: module-level ones and those inside
functions alike (both run), but not those under ``if TYPE_CHECKING:`` (they never run).
Importing ``a.b.c`` runs ``a`` and ``a.b`` first: an import of a module is also an edge to
each package above it that is not the importer's own (its own are running already).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "xbox"


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _run_time_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: all but those under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                yield from _run_time_imports(ast.Module(body=[child], type_ignores=[]))
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _run_time_imports(node)


def _all_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node


def imported(name: str, path: Path, *, run_time: bool = True) -> set[tuple[str, bool]]:
    """``(module, only_submodules_taken)`` for each module the module ``name`` imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[tuple[str, bool]] = set()
    for node in (_run_time_imports(tree) if run_time else _all_imports(tree)):
        if isinstance(node, ast.Import):
            found |= {(alias.name, False) for alias in node.names}
            continue
        base = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
        submodules = {f"{base}.{alias.name}" for alias in node.names} & MODULES.keys()
        found |= {(module, False) for module in submodules}
        found.add((base, len(submodules) == len(node.names)))
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of the package that importing it runs (see the docstring)."""
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        own = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 2)}
        edges: set[str] = set()
        for module, only_submodules in imported(name, path):
            if not module.startswith("xbox"):
                continue
            parents = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
            edges |= parents - own
            if module not in own or not only_submodules:
                edges.add(module)
        graph[name] = (edges & MODULES.keys()) - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:  # depth: the package's import depth, a few dozen at most
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_at_run_time() -> None:
    graph = import_graph()
    assert len(graph) > 150 and sum(len(e) for e in graph.values()) > 400  # read, not vacuous
    assert cycles(graph) == []


@pytest.mark.parametrize(("edges", "expected"), [
    ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ({"a": {"b"}, "b": set()}, []),
])
def test_the_cycle_finder(edges: dict[str, set[str]], expected: list[list[str]]) -> None:
    assert cycles(edges) == expected


def test_the_graph_sees_what_runs() -> None:
    """An import inside a function runs (it counts); one under TYPE_CHECKING never does; an
    import of a package's module runs the package first."""
    graph = import_graph()
    assert "xbox._http" in graph["xbox._base_client"]  # imported in _prepare, on first send
    assert "xbox._async.client" not in graph["xbox._async.resources._base"]  # TYPE_CHECKING
    assert "xbox.archive" in graph["xbox.cli.captures"]  # (for xbox.archive.planner)
    assert "xbox.download" in graph["xbox.archive.folder"]


# -- the command line uses the library's public names only -------------------------------------

def _private(module: str) -> bool:
    """Whether ``module`` is, or is inside, a private module (``xbox._api``, ``_core``...)."""
    return any(part.startswith("_") and not part.startswith("__") for part in module.split("."))


def test_the_cli_imports_no_private_module() -> None:
    """Everything the command line needs is public and documented (or stays inside the
    library behind a public function): the CLI is a user of the library like any other.
    Every import counts here, those for type checkers too."""
    cli = {name: path for name, path in MODULES.items()
           if name == "xbox.cli" or name.startswith("xbox.cli.") or name == "xbox.__main__"}
    assert len(cli) > 15
    used = {(name, module) for name, path in cli.items()
            for module, _ in imported(name, path, run_time=False)}
    assert {module for _, module in used} >= {"xbox", "xbox.download", "xbox.ids"}
    private = sorted(f"{name} imports {module}" for name, module in used
                     if module.startswith("xbox") and _private(module))
    assert private == []


@pytest.mark.parametrize(("module", "private"), [
    ("xbox._api.consoles", True), ("xbox._core", True), ("xbox.download._sync", True),
    ("xbox.download", False), ("xbox.ids", False), ("xbox.__version__", False),
])
def test_what_counts_as_private(module: str, private: bool) -> None:
    assert _private(module) is private


# -- pip install xbox: the library alone ---------------------------------------------------------

EXTRAS = {"cli": {"click", "rich"}, "events": {"wsproto"}, "sandbox": {"uvicorn", "wsproto"}}

# Run before a script: makes the named top-level packages absent, as in an install without
# the extras that bring them (an import of one fails as if it were not installed).
_ABSENT = """
import importlib.abc, sys
class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ABSENT:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, Absent())
"""


def _without(absent: set[str], script: str, *args: str) -> subprocess.CompletedProcess[str]:
    code = f"ABSENT = {sorted(absent)!r}\n" + _ABSENT + script
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "XBOX_LIVE_BASE_URL": ""})


def _requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[<>=~! ;]", r, maxsplit=1)[0].lower() for r in requirements}


def test_the_install_is_the_library_alone_and_the_extras_add_the_rest() -> None:
    project = tomllib.loads((SRC.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    library = _requirement_names(project["dependencies"])
    assert library >= {"httpx", "pydantic", "platformdirs", "filelock", "cryptography"}
    assert not library & {"click", "rich", "uvicorn"}
    extras = {name: _requirement_names(reqs) for name, reqs in project["optional-dependencies"].items()}
    assert extras["cli"] == EXTRAS["cli"] and extras["sandbox"] == EXTRAS["sandbox"]
    assert extras["events"] == EXTRAS["events"]
    assert extras["all"] == EXTRAS["cli"] | EXTRAS["events"] | EXTRAS["sandbox"]
    assert project["scripts"] == {"xbox": "xbox.__main__:main"}


def test_the_library_and_the_in_process_sandbox_need_no_extra() -> None:
    """Without click, rich and uvicorn: import xbox, sign in against the sandbox in-process,
    look a profile up, and none of the three was wanted."""
    absent = EXTRAS["cli"] | EXTRAS["sandbox"]
    script = """
import sys, xbox
from xbox.sandbox import JOE_EMAIL, JOE_PASSWORD, Sandbox
sb = Sandbox()
with xbox.Client(base_url=sb.base_url, transport=sb.transport(), token_store=None) as xbl:
    xbl.login_password(JOE_EMAIL, JOE_PASSWORD)
    print(xbl.profiles.get("JoeAlcorn").gamertag)
print(sorted(m for m in sys.modules if m.split(".")[0] in ABSENT))
"""
    done = _without(absent, script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["JoeAlcorn", "[]"]


def test_an_embedding_host_needs_no_extra() -> None:
    """scripts/check_embedding.py (which `make check-install` runs in a fresh virtualenv)
    without click, rich and uvicorn: a host's httpx.AsyncClient and Microsoft token, API
    calls and a download, nothing under XBOX_HOME, and none of the three was wanted."""
    script = (SRC.parent / "scripts" / "check_embedding.py").read_text(encoding="utf-8")
    script = script.replace("from __future__ import annotations\n", "")  # (goes after ABSENT)
    main = "    sys.exit(asyncio.run(main()))"
    assert main in script
    script = script.replace(main, """    code = asyncio.run(main())
    print(sorted(m for m in sys.modules if m.split(".")[0] in ABSENT))
    sys.exit(code)""")
    done = _without(EXTRAS["cli"] | EXTRAS["sandbox"], script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("embedded: JoeAlcorn, ")
    assert done.stdout.strip().split("\n")[-1] == "[]"


def test_xbox_without_the_cli_extra_says_how_to_install_it() -> None:
    from xbox.__main__ import MISSING_CLI

    for absent in ({"click", "rich"}, {"rich"}):
        done = _without(absent, "import runpy; runpy.run_module('xbox', run_name='__main__')",
                        "--help")
        assert (done.returncode, done.stdout, done.stderr) == (1, "", MISSING_CLI + "\n")
    assert "pip install 'xbox[cli]'" in MISSING_CLI


def test_the_cli_without_the_sandbox_extra() -> None:
    """--sandbox answers in-process when uvicorn is missing; `sandbox serve`, which needs it,
    says how to get it, in one line, and exits 1."""
    run_cli = "import runpy, sys; sys.argv[0] = 'xbox'; runpy.run_module('xbox', run_name='__main__')"
    found = _without(EXTRAS["sandbox"], run_cli, "--sandbox", "--json", "profile", "JoeAlcorn")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)[0]["gamertag"] == "JoeAlcorn"
    serve = _without(EXTRAS["sandbox"], run_cli, "sandbox", "serve")
    assert serve.returncode == 1 and serve.stdout == ""
    assert serve.stderr.strip().splitlines() == [
        "Error: serving the sandbox needs uvicorn: pip install 'xbox[sandbox]'"]
