"""List every ``Any`` in the public signatures of xbox: what a host's ``mypy --strict`` would
meet where a precise type could be.

Public means: the names of ``xbox.__all__``, the clients' methods and properties, every
resource class (sync and async), the paginators, the models' public methods, the
exception classes' constructors, and the token stores. A hit is ``where: annotation``.

    python scripts/public_any.py            # print the hits
    python scripts/public_any.py --check    # fail on a hit that is not allowed below

tests/test_public_types.py runs the check. What stays ``Any`` on purpose is JSON whose shape
the caller chooses or the service does not fix: ``request()``'s body and answer, the wire
objects models are read from, an error's ``body``; each is listed in ALLOWED with its reason.
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

#: (pattern, why): where ``Any`` is the honest type, JSON whose shape the caller chooses or
#: the service does not fix. A hit must match one of these in full.
ALLOWED: list[tuple[str, str]] = [
    (r"xbox\.(Async)?Client\.request -> return", "the parsed JSON of any endpoint"),
    (r"xbox\.(Async)?Client\.request\((json|params)\)",
     "any JSON body, and query values of any kind (httpx's own type)"),
    (r"xbox\.(exceptions\.)?\w+\.__init__\(body\)",
     "an error's body: the server's answer as it came, JSON or text"),
    (r"xbox\.models\.\w+\.(from_wire\(data\)|prepare_wire(\(data\)| -> return)"
     r"|wire_identity_problem\(wire\)|wire_object -> return|read_lazily\((data|known)\))",
     "a wire object before validation: what these methods check"),
    (r"xbox\.models\.Profile\.(setting(\(default\)| -> return)|settings_by_name -> return)",
     "a profile setting's value as the service sent it (the typed ones are properties)"),
    (r"xbox\.(Clip|GamerProfile)\.__init__\((clip_data|settings|user_data)\)",
     "the seed API's wire JSON, unchanged since 2014"),
    (r"xbox\.PlannedRequest\.__init__\(body\)", "the JSON body a write would have sent"),
    (r"xbox\._(a)?sync\.resources\.(Async)?Consoles\.command\(parameters\)",
     "a console command's parameters: JSON values the service defines per command"),
    (r"xbox\.(auth\.tokens\.)?Session\.(from_dict\(data\)|to_dict -> return)",
     "the saved form of a session: a JSON object"),
]


def allowed(hit: str) -> str | None:
    """Why ``hit`` may be ``Any`` (None: it may not)."""
    return next((why for pattern, why in ALLOWED if re.fullmatch(pattern, hit)), None)


def _public_classes() -> Iterator[tuple[str, type]]:
    import xbox
    import xbox.auth.storage
    import xbox.auth.tokens
    import xbox.exceptions
    import xbox.models
    from xbox._async import resources as async_resources
    from xbox._async.paging import AsyncPaginator
    from xbox._sync import resources as sync_resources
    from xbox._sync.paging import Paginator

    for name in xbox.__all__:
        value = getattr(xbox, name)
        if isinstance(value, type):
            yield f"xbox.{name}", value
    for module in (async_resources, sync_resources):
        for name in module.__all__:
            yield f"{module.__name__}.{name}", getattr(module, name)
    yield "xbox.AsyncPaginator", AsyncPaginator
    yield "xbox.Paginator", Paginator
    for name in xbox.models.__all__:
        value = getattr(xbox.models, name)
        if isinstance(value, type):
            yield f"xbox.models.{name}", value
    for name in xbox.exceptions.__all__:
        yield f"xbox.exceptions.{name}", getattr(xbox.exceptions, name)
    for module in (xbox.auth.storage, xbox.auth.tokens):
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type):
                yield f"{module.__name__}.{name}", value


def _ours(function: object) -> bool:
    module = getattr(function, "__module__", "") or ""
    return module == "xbox" or module.startswith("xbox.")


def _members(cls: type) -> Iterator[tuple[str, Callable[..., Any]]]:
    """Public methods and properties defined by xbox (not pydantic's, not object's)."""
    for name, value in inspect.getmembers(cls):
        if name.startswith("_") and name != "__init__":
            continue
        if isinstance(value, property) and value.fget is not None:
            if _ours(value.fget):
                yield name, value.fget
        elif callable(value) and _ours(value) and not isinstance(value, type):
            yield name, value


_ANY = re.compile(r"\bAny\b")


def hits() -> list[str]:
    """Every public parameter or return annotated with ``Any`` (read as written: the package
    uses ``from __future__ import annotations``, so annotations are their source text)."""
    found: set[str] = set()
    for where, cls in _public_classes():
        for name, function in _members(cls):
            annotations = inspect.get_annotations(inspect.unwrap(function))
            for param, hint in annotations.items():
                text = hint if isinstance(hint, str) else repr(hint)
                if _ANY.search(text):
                    found.add(f"{where}.{name} -> return" if param == "return"
                              else f"{where}.{name}({param})")
    return sorted(found)


def main() -> int:
    found = hits()
    unexpected = [h for h in found if allowed(h) is None]
    if "--check" in sys.argv[1:]:
        for hit in unexpected:
            print(f"Any in a public signature: {hit}", file=sys.stderr)
        return 1 if unexpected else 0
    for hit in found:
        why = allowed(hit)
        print(hit + ("" if why is None else f"    (allowed: {why})"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
