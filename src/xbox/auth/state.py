"""The sign-in state of one client: its current session, and what to do to have one.

Plain state, no network and no token store input or output: the client runs the sign-in
flows (:mod:`xbox.auth.flows`), saves their result in its token store and hands it to
:meth:`SignInState.current`.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypedDict

from ..exceptions import InvalidArgument
from . import flows, xboxlive
from .storage import check_account
from .store import TokenStore
from .tokens import FLOWS, Device, MsaToken, Session, XboxToken

if TYPE_CHECKING:
    from .._core.call import Flow
    from .storage import AsyncTokenStorage, TokenStorage

__all__ = ["SignInState", "WhoAmI"]

log = logging.getLogger("xbox")


def _when(ts: float | None) -> datetime | None:
    return datetime.fromtimestamp(ts, UTC) if ts is not None else None


class WhoAmI(TypedDict):
    """Who is signed in, and until when (:meth:`xbox.Client.whoami`): no secrets.

    ``*_expires`` are UTC datetimes, None for a token the sign-in's flow does not use.
    """

    account: str
    gamertag: str | None
    xuid: str | None
    login: str | None
    age_group: str | None
    xsts_expires: datetime | None
    user_expires: datetime | None
    msa_expires: datetime | None
    can_refresh: bool
    flow: str
    app_id: str | None
    device_expires: datetime | None
    title_expires: datetime | None


class SignInState:
    """Who a client is signed in as, and the decisions around it; no input or output.

    The client reads and writes the token store (which may have to be awaited) and hands
    what it read or saved to this object.

    Args:
        store: where sessions are saved (None: memory only); kept to describe it.
        account: the token store's account name.

    Attributes:
        session: the current session (None: not signed in, or not loaded yet).
        loaded: whether the store was read (or a session made) since the client started.

    Raises:
        InvalidArgument: ``account`` is not a valid account name.
    """

    def __init__(self, store: TokenStorage | AsyncTokenStorage | None, account: str) -> None:
        check_account(account)
        if isinstance(store, TokenStore):
            store.path(account)  # validate the name now, not at the first call
        self.store = store
        self.account = account
        self.session: Session | None = None
        self.loaded = False

    def read(self, stored: Session | None) -> Session | None:
        """The store was read: ``stored`` is current unless a session is already held."""
        if not self.loaded:
            if self.session is None:
                self.session = stored
            # Only after a successful read: a corrupt file keeps raising, never reads "none".
            self.loaded = True
        return self.session

    def current(self, session: Session) -> Session:
        """``session`` was saved (or there is no store): it is the current one now."""
        self.session = session
        self.loaded = True
        return session

    def sign_out(self) -> None:
        """Forget the session in memory only (the saved one stays as it is)."""
        self.session = None
        self.loaded = True

    def elsewhere(self, stored: Session | None, now: float) -> Session | None:
        """A usable session another process sharing the store saved since ours (``stored``,
        just read), adopted. Never the one whose tokens were just refused: only a session
        with other tokens."""
        if stored is None or self.session is None:
            return None
        current = self.session.xsts
        if not stored.usable(now) or stored.xsts is None or (
                current is not None and stored.xsts.token == current.token):
            return None
        log.debug("using tokens another process refreshed")
        self.session = stored
        return stored

    def renewal(self, clock: Callable[[], float], *, force: bool = False,
                stored: Session | None = None) -> Session | Flow[Session] | None:
        """What it takes to have a usable session: the current one (or ``stored``, the
        store's, when another process sharing it refreshed), a flow to run (a renewal, or a
        sign-in with ``MS_LOGIN``/``MS_PASSWD``), or None: no session and no credentials
        (the client asks its ``msa_token_provider``, or raises NotSignedIn).

        Args:
            force: renew even a session that looks usable (after a 401).
            stored: the store's session, read just now (None: not read, or none saved).
        """
        session = self.session
        if session is None:
            login, password = os.environ.get("MS_LOGIN"), os.environ.get("MS_PASSWD")
            if login and password:
                return flows.password(login, password, clock)
            return None
        # Another process sharing the token store may have refreshed already: use its tokens
        # rather than asking Microsoft again (and never when they are the ones just refused).
        elsewhere = self.elsewhere(stored, clock())
        if elsewhere is not None:
            return elsewhere
        if not force and session.usable(clock()):
            return session
        return xboxlive.renew(session, clock)

    def relying_party(self, session: Session, relying_party: str,
                      clock: Callable[[], float]) -> XboxToken | Flow[XboxToken]:
        """``session``'s XSTS token for ``relying_party``: kept, or a flow asking for one
        (hand its result to :meth:`keep`).

        Raises:
            InvalidArgument: ``relying_party`` is not a non-empty string.
        """
        if not isinstance(relying_party, str) or not relying_party.strip():
            raise InvalidArgument(f"relying_party must be a non-empty string such as "
                                  f"'rp://api.minecraftservices.com/', not {relying_party!r}")
        if relying_party == xboxlive.XBOXLIVE_RP and session.xsts is not None:
            return session.xsts
        kept = session.relying_parties.get(relying_party)
        if kept is not None and not kept.expired(clock()):
            return kept
        return xboxlive.relying_party_token(session, relying_party, clock)

    @staticmethod
    def with_token(session: Session, relying_party: str, token: XboxToken) -> Session:
        """``session`` keeping ``token`` for ``relying_party`` (to save)."""
        return dataclasses.replace(
            session, relying_parties={**session.relying_parties, relying_party: token})

    def device(self, stored: Session | None = None) -> Device:
        """This account's device for a new sign-in: its key and ids stay the same from
        sign-in to sign-in (a new one the first time); its device token is asked for anew.

        Args:
            stored: the store's session, when the client holds none (read quietly: a
                corrupt store is reported where the session is loaded, not here).
        """
        current = self.session if self.session is not None else stored
        if current is None or current.device is None:
            return Device.new()
        return dataclasses.replace(current.device, token=None)

    def new_session(self, msa: MsaToken, *, client_secret: str | None = None,
                    flow: str | None = None, stored: Session | None = None) -> Session:
        """The session an MSA token starts, on this account's device.

        Raises:
            InvalidArgument: ``flow`` is not one of :data:`~xbox.auth.tokens.FLOWS`.
        """
        flow = flow or xboxlive.flow_for(msa.client_id)
        if flow not in FLOWS:
            raise InvalidArgument(f"flow is one of {', '.join(FLOWS)}, not {flow!r}")
        return Session(msa=msa, client_secret=client_secret, flow=flow,
                       device=self.device(stored) if flow != "plain" else None)

    def describe(self, session: Session) -> WhoAmI:
        """Who ``session`` is and when its tokens expire: no secrets."""
        return {
            "account": self.account,
            "gamertag": session.gamertag,
            "xuid": session.xuid,
            "login": session.login,
            "age_group": session.xsts.claims.get("agg") if session.xsts else None,
            "xsts_expires": _when(session.xsts.expires_at if session.xsts else None),
            "user_expires": _when(session.user.expires_at if session.user else None),
            "msa_expires": _when(session.msa.expires_at if session.msa else None),
            "can_refresh": bool(session.msa and session.msa.refresh_token),
            "flow": session.flow,
            "app_id": session.msa.client_id if session.msa else None,
            "device_expires": _when(session.device.token.expires_at
                                    if session.device and session.device.token else None),
            "title_expires": _when(session.title.expires_at if session.title else None),
        }
