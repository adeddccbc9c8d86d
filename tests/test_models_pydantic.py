"""The models and pydantic: what they may rely on, and the range of pydantic that is tested.

The lazy validation of records (``xbox/models/_lazy.py``) relies on how pydantic keeps a
model; it is the one module that may. Every other module of the package uses pydantic's
documented API only, no module imports pydantic's private modules, and pydantic is bounded on
both sides in ``pyproject.toml``: ``make test-pydantic-range`` (run by CI) tests both ends.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import tomllib
from pathlib import Path
from types import ModuleType

import pydantic
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "xbox"
MODELS = PACKAGE / "models"
ENGINE = MODELS / "_lazy.py"
PYDANTIC = ("pydantic", "pydantic_core")


def private_pydantic_imports(source: str) -> list[str]:
    """The private pydantic modules ``source`` imports (``pydantic._internal``,
    ``pydantic_core._pydantic_core``...), by import statement or by name in a string."""
    found = []
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = re.findall(r"\b(?:pydantic|pydantic_core)(?:\.\w+)+", node.value)
        for name in names:
            parts = name.split(".")
            if parts[0] in PYDANTIC and any(p.startswith("_") for p in parts[1:]):
                found.append(name)
    return found


def pydantic_state_names(source: str) -> list[str]:
    """The names of pydantic's per-instance and per-class state ``source`` touches
    (``__pydantic_fields_set__``, ``__pydantic_decorators__``...), and the lazy models' own
    slots (``__xbox_src__``), as attributes, names or strings."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute):
            texts = [node.attr]
        elif isinstance(node, ast.Name):
            texts = [node.id]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            texts = [node.value]
        else:
            continue
        for text in texts:
            found += re.findall(r"__pydantic_\w+__|__xbox_(?:src|failed)__", text)
    return found


def test_the_checks_find_what_they_look_for() -> None:
    assert sorted(private_pydantic_imports(
        "import pydantic._internal._decorators\n"
        "from pydantic_core._pydantic_core import SchemaValidator\n"
        "from pydantic import _internal\n"
        "importlib.import_module('pydantic._internal._model_construction')\n"
        "from pydantic import BaseModel\nfrom pydantic_core import core_schema\n"
        "from ._lazy import build_lazy\n")) == [
        "pydantic._internal", "pydantic._internal._decorators",
        "pydantic._internal._model_construction", "pydantic_core._pydantic_core",
        "pydantic_core._pydantic_core.SchemaValidator"]
    assert sorted(pydantic_state_names(
        "cls.__pydantic_decorators__\nobject.__setattr__(m, '__pydantic_extra__', {})\n"
        "__xbox_src__ = 1\nm.__dict__\nm.model_fields_set\nraw = '__xbox_raw__'\n")) == [
        "__pydantic_decorators__", "__pydantic_extra__", "__xbox_src__"]


def test_no_model_module_imports_a_private_pydantic_module() -> None:
    modules = sorted(MODELS.glob("*.py"))
    assert ENGINE in modules
    found = {p.name: private_pydantic_imports(p.read_text()) for p in modules}
    assert {name: imports for name, imports in found.items() if imports} == {}


def test_only_the_lazy_engine_touches_pydantic_state() -> None:
    assert pydantic_state_names(ENGINE.read_text()), "the engine is where the state is kept"
    found = {str(p.relative_to(PACKAGE)): pydantic_state_names(p.read_text())
             for p in sorted(PACKAGE.rglob("*.py")) if p != ENGINE}
    assert {name: names for name, names in found.items() if names} == {}


def range_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pydantic_range",
                                                  ROOT / "scripts" / "pydantic_range.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def test_pydantic_is_bounded_on_both_sides_and_this_run_is_inside() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    low, high = range_script().pydantic_bounds(pyproject)
    assert version(low) <= version(pydantic.VERSION) < version(high), (
        f"pydantic {pydantic.VERSION} is outside the tested range >={low},<{high}")


@pytest.mark.parametrize(("requirement", "bounds"), [
    ("pydantic>=2.6,<2.15", ("2.6", "2.15")),
    ("pydantic <3, >= 2.7.1", ("2.7.1", "3")),
    ("pydantic>=2.6", None),
    ("pydantic<2.15", None),
    ("pydantic>=2.6,<=2.14", None),
])
def test_the_range_script_reads_both_bounds_or_refuses(requirement: str,
                                                       bounds: tuple[str, str] | None) -> None:
    script = range_script()
    pyproject = {"project": {"dependencies": ["httpx>=0.27", requirement]}}
    if bounds is None:
        with pytest.raises(ValueError, match="bounded"):
            script.pydantic_bounds(pyproject)
    else:
        assert script.pydantic_bounds(pyproject) == bounds
    with pytest.raises(ValueError, match="does not require"):
        script.pydantic_bounds({"project": {"dependencies": ["pydantic-settings>=2"]}})


def test_the_range_script_installs_everything_the_tests_import_but_pydantic() -> None:
    pyproject = {"project": {
        "name": "xbox", "dependencies": ["httpx>=0.27", "pydantic>=2.6,<2.15"],
        "optional-dependencies": {"cli": ["click>=8.1"], "all": ["xbox[cli]", "click>=8.1"],
                                  "test": ["pytest>=8", "mypy>=1.10", "hypothesis>=6.100"],
                                  "docs": ["sphinx>=7.2"]}}}
    assert range_script().other_requirements(pyproject) == [
        "httpx>=0.27", "click>=8.1", "pytest>=8", "pytest-asyncio", "hypothesis>=6.100"]


def test_ci_runs_the_models_tests_at_both_ends_of_the_range() -> None:
    assert "make test-pydantic-range" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^test-pydantic-range:.*\n\t.*scripts/pydantic_range\.py", makefile,
                     re.MULTILINE)
    script = range_script()
    assert all((ROOT / test).is_file() for test in script.TESTS)
    assert "tests/test_models_lazy.py" in script.TESTS
    assert "tests/test_models_pydantic.py" in script.TESTS
