"""The sign-in state of one client: its current session and where sessions are saved.

Plain state and the token store, no network: the client runs the sign-in flows
(:mod:`xbox.auth.flows`) and hands their result to :meth:`SignInState.commit`.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..exceptions import InvalidArgument, SessionNotSaved, TokenStoreError, XboxException
from . import flows, xboxlive
from .tokens import FLOWS, Device, MsaToken, Session, XboxToken

if TYPE_CHECKING:
    from .._core.call import Flow
    from .store import TokenStore

__all__ = ["SignInState"]

log = logging.getLogger("xbox")


def _when(ts: float | None) -> datetime | None:
    return datetime.fromtimestamp(ts, UTC) if ts is not None else None


class SignInState:
    """Who a client is signed in as, loaded from and saved to a token store.

    Args:
        store: where sessions are saved (None: memory only).
        account: the token store's account name.

    Attributes:
        session: the current session (None: not signed in, or not loaded yet).

    Raises:
        InvalidArgument: ``account`` is not a valid account name.
    """

    def __init__(self, store: TokenStore | None, account: str) -> None:
        if store is not None:
            store.path(account)  # validate the name now, not at the first call
        self.store = store
        self.account = account
        self.session: Session | None = None
        self._loaded = False

    def load(self) -> Session | None:
        """The current session, read from the store the first time."""
        if not self._loaded:
            if self.session is None and self.store is not None:
                self.session = self.store.load(self.account)
            # Only after a successful read: a corrupt file keeps raising, never reads "none".
            self._loaded = True
        return self.session

    def commit(self, session: Session) -> Session:
        """Save ``session``, then make it current (a refused save leaves memory unchanged)."""
        if self.store is not None:
            self.store.save(self.account, session)
        self.session = session
        self._loaded = True
        return session

    def renewed(self, session: Session) -> Session:
        """Save a renewed ``session`` and make it current, like :meth:`commit`; but a save
        the disk refuses (full, read-only) does not undo a renewal Microsoft granted: the
        session is current in memory for the rest of the process, with a
        :class:`~xbox.exceptions.SessionNotSaved` warning (never a refused sign-in).

        Raises:
            TokenStoreError: the saved file is corrupt or another program's (never
                overwritten).
        """
        try:
            return self.commit(session)
        except TokenStoreError as exc:
            if exc.errno is None:
                raise
            warnings.warn(SessionNotSaved(
                f"the renewed sign-in could not be saved ({exc.message}); it is used for "
                f"this command, and the next one renews it again"), stacklevel=2)
            self.session = session
            self._loaded = True
            return session

    def sign_out(self) -> None:
        """Forget the session in memory only (the saved file stays as it is)."""
        self.session = None
        self._loaded = True

    def forget(self) -> bool:
        """Drop the session and delete its saved file; True when there was either."""
        had = self.session is not None
        self.sign_out()
        if self.store is not None:
            had = self.store.delete(self.account) or had
        return had

    def refreshed_elsewhere(self, now: float) -> Session | None:
        """A usable session another process sharing the store saved since ours, adopted.

        Never the one whose tokens were just refused: only a session with other tokens.
        """
        if self.store is None or self.session is None:
            return None
        stored = self.store.load(self.account)
        current = self.session.xsts
        if stored is None or not stored.usable(now) or stored.xsts is None or (
                current is not None and stored.xsts.token == current.token):
            return None
        log.debug("using tokens another process refreshed")
        self.session = stored
        return stored

    def renewal(self, clock: Callable[[], float], *, force: bool = False) -> Session | Flow[Session]:
        """What it takes to have a usable session: the current one (or one another process
        sharing the store just refreshed), or a flow to run (a renewal, or a sign-in with
        ``MS_LOGIN``/``MS_PASSWD``).

        Args:
            force: renew even a session that looks usable (after a 401).

        Raises:
            NotSignedIn: no session and no credentials in the environment.
        """
        session = self.session
        if session is None:
            login, password = os.environ.get("MS_LOGIN"), os.environ.get("MS_PASSWD")
            if login and password:
                return flows.password(login, password, clock)
            raise flows.not_signed_in()
        # Another process sharing the token store may have refreshed already: use its tokens
        # rather than asking Microsoft again (and never when they are the ones just refused).
        elsewhere = self.refreshed_elsewhere(clock())
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

    def keep(self, session: Session, relying_party: str, token: XboxToken) -> XboxToken:
        """Save ``token`` as ``session``'s for ``relying_party`` (see :meth:`renewed`)."""
        self.renewed(dataclasses.replace(
            session, relying_parties={**session.relying_parties, relying_party: token}))
        return token

    def device(self) -> Device:
        """This account's device for a new sign-in: its key and ids stay the same from
        sign-in to sign-in (a new one the first time); its device token is asked for anew."""
        current = self.session if self.session is not None else self._stored_quietly()
        if current is None or current.device is None:
            return Device.new()
        return dataclasses.replace(current.device, token=None)

    def new_session(self, msa: MsaToken, *, client_secret: str | None = None,
                    flow: str | None = None) -> Session:
        """The session an MSA token starts, on this account's device.

        Raises:
            InvalidArgument: ``flow`` is not one of :data:`~xbox.auth.tokens.FLOWS`.
        """
        flow = flow or xboxlive.flow_for(msa.client_id)
        if flow not in FLOWS:
            raise InvalidArgument(f"flow is one of {', '.join(FLOWS)}, not {flow!r}")
        return Session(msa=msa, client_secret=client_secret, flow=flow,
                       device=self.device() if flow != "plain" else None)

    def _stored_quietly(self) -> Session | None:
        try:
            return self.store.load(self.account) if self.store is not None else None
        except XboxException:  # a corrupt file is reported where the session is loaded
            return None

    def describe(self, session: Session) -> dict[str, Any]:
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
