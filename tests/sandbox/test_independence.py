"""The sandbox is an independent implementation of Xbox Live: it imports the standard
library, its own declared dependencies and itself, nothing else.

An allow-list, not a list of the client's packages: a client module added later
(``xbox._api`` was once missed by such a list) is refused without anyone remembering to
name it. A shared assumption would make every client-vs-sandbox test moot.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SANDBOX_SRC = ROOT / "src" / "xbox" / "sandbox"

#: The third-party packages the sandbox runs on (import names), each declared by the
#: project: httpx (the in-process transport) and httpcore (its network streams, which carry
#: the in-process websocket), cryptography (request signatures), uvicorn (serving it: the
#: ``sandbox`` extra) and wsproto (websocket frames: the ``sandbox`` extra).
SANDBOX_DEPENDENCIES = {"httpx": "httpx", "httpcore": "httpcore", "cryptography": "cryptography",
                        "uvicorn": "uvicorn", "wsproto": "wsproto"}


def imported_modules(source: str, package: str) -> list[str]:
    """Every module ``source`` (a module of ``package``) imports, as absolute names: the
    module of each ``import``/``from ... import``, and ``module.name`` for each name taken
    from it (which may be a submodule), and the literal or ``{__name__}``-rooted argument of
    each ``importlib.import_module``/``__import__`` call (anything else: ``<dynamic>``)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = importlib.util.resolve_name("." * node.level + (node.module or ""), package)
            found += [module, *(f"{module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            found.append(_dynamic_target(node, package))
    return found


def _is_dynamic_import(func: ast.expr) -> bool:
    return (isinstance(func, ast.Attribute) and func.attr == "import_module") or (
        isinstance(func, ast.Name) and func.id in ("import_module", "__import__"))


def _dynamic_target(call: ast.Call, package: str) -> str:
    arg = call.args[0] if call.args else None
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if (isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.FormattedValue)
            and isinstance(arg.values[0].value, ast.Name) and arg.values[0].value.id == "__name__"):
        return package  # a submodule of the module's own package
    return "<dynamic>"


def refused(name: str) -> bool:
    """Whether the sandbox may not import ``name``."""
    top = name.split(".")[0]
    if name == "xbox.sandbox" or name.startswith("xbox.sandbox."):
        return False
    return not (top in sys.stdlib_module_names or top in SANDBOX_DEPENDENCIES)


def _package_of(path: Path) -> str:
    # A module's relative imports are resolved in the package it is in (an __init__.py's:
    # its own folder's).
    return ".".join(["xbox", "sandbox", *path.relative_to(SANDBOX_SRC).parent.parts])


def test_the_sandbox_imports_only_the_stdlib_its_dependencies_and_itself() -> None:
    checked = 0
    offending = []
    for path in sorted(SANDBOX_SRC.rglob("*.py")):
        for name in imported_modules(path.read_text(encoding="utf-8"), _package_of(path)):
            checked += 1
            if refused(name):
                offending.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offending, "\n".join(offending)
    assert checked > 100  # the walk saw the sandbox's imports (not vacuous)


def test_the_allowed_dependencies_are_declared() -> None:
    """The allow-list names what the project declares: the library's own dependencies, or
    the ``sandbox`` extra's."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["sandbox"]
    names = {req.split("[")[0].split(">")[0].split("=")[0].split("<")[0].strip().lower()
             for req in declared}
    assert set(SANDBOX_DEPENDENCIES.values()) <= names


@pytest.mark.parametrize(("source", "package", "module"), [
    ("from xbox._api import people", "xbox.sandbox", "xbox._api"),
    ("from ..._api.people import friends", "xbox.sandbox.services", "xbox._api.people"),
    ("from ... import _http", "xbox.sandbox.services", "xbox._http"),
    ("import xbox", "xbox.sandbox", "xbox"),
    ("from xbox import exceptions", "xbox.sandbox", "xbox.exceptions"),
    ("import pydantic", "xbox.sandbox", "pydantic"),
    ("import importlib\nimportlib.import_module('xbox.models')", "xbox.sandbox", "xbox.models"),
    ("import importlib\nimportlib.import_module(name)", "xbox.sandbox", "<dynamic>"),
])
def test_any_client_module_is_refused(source: str, package: str, module: str) -> None:
    """The check catches what a deny-list of the client's packages would let through."""
    names = imported_modules(source, package)
    assert module in names and refused(module)


@pytest.mark.parametrize(("source", "package"), [
    ("from .._http import route", "xbox.sandbox.services"),
    ("from . import clients", "xbox.sandbox"),
    ("import hashlib, json", "xbox.sandbox"),
    ("from cryptography.hazmat.primitives import hashes", "xbox.sandbox"),
    ("import importlib\nimportlib.import_module(f'{__name__}.{m}')", "xbox.sandbox.services"),
])
def test_what_the_sandbox_may_import(source: str, package: str) -> None:
    assert not [name for name in imported_modules(source, package) if refused(name)]
