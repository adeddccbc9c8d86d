"""A typed surface a strict host accepts: no ``Any`` in a public signature where a type is
known (scripts/public_any.py lists them; what is left is JSON, each with its reason), and
``py.typed`` ships with the package."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def audit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("public_any", ROOT / "scripts" / "public_any.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_no_any_in_public_signatures_but_json(audit: ModuleType) -> None:
    hits = audit.hits()
    assert [h for h in hits if audit.allowed(h) is None] == []
    # The audit sees what it should: the clients, the new embedding names, the models.
    assert "xbox.AsyncClient.request -> return" in hits
    assert any(h.startswith("xbox.models.Profile.") for h in hits)
    # Every allowance still matches something (none left over from a removed Any).
    for pattern, _why in audit.ALLOWED:
        assert any(re.fullmatch(pattern, h) for h in hits), pattern


def test_the_audit_catches_an_any(audit: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    import xbox

    def untyped(self: object, value: object) -> object:  # pragma: no cover - never called
        return value

    untyped.__annotations__ = {"value": "Any", "return": "Any"}
    monkeypatch.setattr(xbox.MemoryTokenStore, "peek", untyped, raising=False)
    untyped.__module__ = "xbox.auth.storage"
    hits = audit.hits()
    assert "xbox.MemoryTokenStore.peek(value)" in hits
    assert audit.allowed("xbox.MemoryTokenStore.peek -> return") is None


def test_the_package_says_it_is_typed() -> None:
    assert (ROOT / "src" / "xbox" / "py.typed").is_file()
    assert "py.typed" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
