"""Every recording of both folders against the sandbox's answer to the request that made it.

tests/recordings.py is the table: each file of tests/fixtures/recorded/ (the 2018 era) and
tests/fixtures/recorded-2025/ (today's era) and the request its client sent. Each test sends
one request to a sandbox of the recording's era and compares the answer with the file, key
for key and type for type (tests/fidelity.py). A file the table does not name fails
``test_every_recording_has_a_row``.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.fidelity import FIXTURES, recorded, shape_differences
from tests.recordings import ERA_OF, TABLE, Call, Flow, NotABody, NotServedHere, Row, send
from xbox.sandbox import Sandbox

NOW = 1_793_534_400.0  # 2026-11-01 12:00 UTC


def _params() -> list[object]:
    params: list[object] = []
    for (folder, name), row in sorted(TABLE.items()):
        if isinstance(row, NotABody):
            continue
        marks = [pytest.mark.xfail(strict=True, reason=row.reason)] \
            if isinstance(row, NotServedHere) else []
        params.append(pytest.param(folder, name, row, id=f"{folder}/{name}", marks=marks))
    return params


@pytest.fixture
def sandbox(request: pytest.FixtureRequest) -> Sandbox:
    folder = request.node.callspec.params["folder"]
    return Sandbox(seed=0, era=ERA_OF[folder], rate_limits=False, clock=lambda: NOW,
                   device_code_pending_polls=0)


@pytest.fixture
def http(sandbox: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.base_url, transport=sandbox.transport()) as c:
        yield c


def test_every_recording_has_a_row() -> None:
    """A recording without a request here would go untested; a row without its file is stale."""
    on_disk = {(folder, path.name) for folder in ERA_OF
               for path in (FIXTURES / folder).iterdir() if path.name != "ORIGIN.md"}
    assert on_disk - TABLE.keys() == set(), "recordings with no request in tests/recordings.py"
    assert TABLE.keys() - on_disk == set(), "rows of tests/recordings.py with no recording"
    assert len([k for k in TABLE if k[0] == "recorded-2025"]) == 29


def test_every_row_names_the_client_that_made_it() -> None:
    for key, row in TABLE.items():
        if isinstance(row, NotABody):
            assert row.reason, key
            continue
        call = row.request if isinstance(row, NotServedHere) else row
        assert call.client in ("xbox-webapi 2.1", "python-xbox 0.4.0"), key
        if isinstance(call, Call) and "displaycatalog" not in call.url:
            assert "x-xbl-contract-version" in call.headers, key


@pytest.mark.parametrize(("folder", "name", "row"), _params())
def test_the_sandbox_answers_as_recorded(sandbox: Sandbox, http: httpx.Client, folder: str,
                                         name: str, row: Row) -> None:
    if isinstance(row, Flow):
        answer, nullable, optional = row.run(sandbox, http), row.nullable, None
    else:
        call = row.request if isinstance(row, NotServedHere) else row
        assert isinstance(call, Call)
        answer, nullable, optional = send(sandbox, http, call), call.nullable, call.optional
    assert answer.status_code == 200, (answer.status_code, answer.text[:200])
    assert answer.headers["content-type"].startswith("application/json")
    problems = shape_differences(answer.json(), recorded(name, folder), nullable=nullable,
                                 optional=optional)
    assert not problems, "\n".join(problems[:20])
