"""What the sandbox's own tests share: the sandbox, and an httpx client signed in on it.

A module says how its sandbox and its client differ from these with two constants, read
when a test asks for the fixture:

* ``SANDBOX``: keyword arguments for :class:`~xbox.sandbox.Sandbox` (``{"era": "2018"}``,
  a fixed ``clock``);
* ``API_HEADERS``: headers every request of ``api`` carries (the contract version the
  service's clients send).

A module whose sandbox follows a test's own clock fixture defines ``sb`` itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from xbox.sandbox import Sandbox


@pytest.fixture
def sb(request: pytest.FixtureRequest) -> Sandbox:
    """Seed 0, rate limits off (the tests of the limits turn them on), the machine's clock,
    and the module's ``SANDBOX`` options."""
    options = {"seed": 0, "rate_limits": False, **getattr(request.module, "SANDBOX", {})}
    return Sandbox(**options)


@pytest.fixture
def api(sb: Sandbox, request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    """An httpx client on ``sb`` (in-process), signed in as Joe, sending the module's
    ``API_HEADERS``."""
    headers = {"Authorization": sb.authorization_for(), **getattr(request.module, "API_HEADERS", {})}
    with httpx.Client(base_url=sb.base_url, transport=sb.transport(), headers=headers) as client:
        yield client
