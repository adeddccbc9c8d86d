"""Gamertags: is one free (``user.mgt.xboxlive.com/gamertags/reserve``, contract 1) and
change to it (``accounts.xboxlive.com/users/current/profile/gamertag``, contract 2), as
both peers send them.

Neither is ever retried: a reservation holds the gamertag for the caller, and a change can
use up the account's free change (the next one costs money), so a request whose answer was
lost is left to the person to repeat, never repeated behind their back.
"""

from __future__ import annotations

from typing import Any

from .._core.call import api_call
from ..ids import check_gamertag
from . import ForUser, Request

__all__ = ["CHANGE_HOST", "RESERVE_HOST", "change", "reserve"]

RESERVE_HOST = "user.mgt.xboxlive.com"
CHANGE_HOST = "accounts.xboxlive.com"
RESERVE_CONTRACT = 1
CHANGE_CONTRACT = 2
TAKEN = 409  # the reservation's answer when someone has or holds the gamertag


def reserve(gamertag: str) -> ForUser[bool]:
    """Whether ``gamertag`` is free; if it is, the service now holds it for the caller."""
    name = check_gamertag(gamertag)

    def request(who: str) -> Request[bool]:
        call = api_call("POST", RESERVE_HOST, "/gamertags/reserve",
                        contract_version=RESERVE_CONTRACT, idempotent=False,
                        json={"Gamertag": name, "ReservationId": who})
        return Request(call, lambda body: True, answers={TAKEN: False})

    return request


def _done(body: Any) -> None:
    """A change answers 200 with nothing to read."""


def change(gamertag: str, preview: bool) -> ForUser[None]:
    """Change the caller's gamertag (``preview``: only ask whether it could be done)."""
    name = check_gamertag(gamertag)

    def request(who: str) -> Request[None]:
        call = api_call("POST", CHANGE_HOST, "/users/current/profile/gamertag",
                        contract_version=CHANGE_CONTRACT, idempotent=False,
                        json={"gamertag": name, "preview": bool(preview),
                              "reservationId": int(who)})
        return Request(call, _done)

    return request
