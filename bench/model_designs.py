"""The designs a drift-tolerant model could have, on one clip record: CPU µs per record of
each, in the same alternated rounds (``harness.alternate``), on the 5,000 today-shaped
records rows 2 and 3 use.

    .venv/bin/python bench/model_designs.py [--rounds 8]

Not a row of ``make bench``: the measurement behind keeping the lazy engine
(``xbox/models/_lazy.py``, issue 22; rows 2 and 3 carry the eager design in every run).
The designs:

* ``Clip.from_wire``: lazy (the identity at ``from_wire``, each other field on first read);
* eager ``Clip``: pydantic's ``model_validate`` of the whole record, refused fields salvaged
  (``paging.eager_from_wire``, what ``from_wire`` does for a class that cannot be lazy);
* a tolerant ``WrapValidator`` on every field (a refused value becomes the default inside
  pydantic: no second validation, one Python call per field);
* ``model_construct``: no validation at all (what a trusted path would cost at best).

Each design is checked first: the same records, the same identity, and drift kept for
those that validate (``views: "lots"`` loads as None).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from typing import Annotated, Any

import harness
from harness import Row, Sample, Spread, Variant
from paging import eager_from_wire
from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

import xbox
from xbox.models import Clip
from xbox.sandbox import JOE_EMAIL, JOE_PASSWORD, JOE_XUID, Sandbox, World


def records(count: int) -> list[Any]:
    """``count`` clip records as the 2025 wire sends them (each ``Clip``'s ``.raw``: the
    object ``json.loads`` gave), listed from a served sandbox with a token store of its own."""
    sandbox = Sandbox(seed=0, world=World(0, joe_clips=count), rate_limits=False, era="2025")
    with tempfile.TemporaryDirectory(prefix="xbox-bench-") as home, sandbox.serve() as served:
        os.environ["XBOX_HOME"] = home
        with xbox.Client(base_url=served.base_url, http2=False, rate_limits=False) as xbl:
            xbl.authenticate(JOE_EMAIL, JOE_PASSWORD)
            return [clip.raw for clip in xbl.clips.recent(JOE_XUID)]


def _tolerant(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError:
        return None


def wrapped_clip() -> type[BaseModel]:
    """Clip's fields, each that is not the identity inside a tolerant wrap validator."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__annotations__": annotations, "model_config": ConfigDict(
        populate_by_name=True, extra="allow", arbitrary_types_allowed=True)}
    for name, info in Clip.model_fields.items():
        if name == "raw":
            continue
        annotation = info.rebuild_annotation()
        if not info.is_required():
            annotation = Annotated[annotation, WrapValidator(_tolerant)]
        annotations[name] = annotation
        namespace[name] = info  # (its alias and default)
    return type("TolerantClip", (BaseModel,), namespace)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--clips", type=int, default=5000)
    args = parser.parse_args()
    harness.pin(harness.cores()[0])
    recs = records(args.clips)
    tolerant = wrapped_clip()
    designs: dict[str, Callable[[Any], Any]] = {
        "lazy: `Clip.from_wire`": Clip.from_wire,
        "eager: `model_validate`, salvage on error": eager_from_wire,
        "a tolerant `WrapValidator` on every field": tolerant.model_validate,
        "`model_construct` (no validation)": lambda rec: Clip.model_construct(**rec),
    }
    drifted = {**recs[0], "views": "lots"}
    for name, design in designs.items():
        if "construct" in name:
            continue
        model = design(drifted)
        assert model.views is None and model.game_clip_id == recs[0]["gameClipId"], name

    def block(design: Callable[[Any], Any]) -> Callable[[], Sample]:
        def run() -> Sample:
            clock = harness.Clock()
            for rec in recs:
                design(rec)
            return clock.stop()
        return run

    for design in designs.values():  # (build the validators now)
        design(recs[0])
    outcomes = harness.alternate([Variant(n, block(d)) for n, d in designs.items()],
                                 args.rounds)
    lazy = None
    rows = []
    for name in designs:
        spread = Spread.of([s.cpu / len(recs) * 1e6 for s in outcomes[name].samples])
        lazy = lazy or spread.mid
        rows.append(Row("-", f"one clip record: {name}", "CPU µs/record", spread, fmt="{:.1f}",
                        note=f"{spread.mid / lazy:.1f}x lazy"))
    print(harness.table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
