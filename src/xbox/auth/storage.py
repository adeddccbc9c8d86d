"""Token storage as an interface: where a client keeps its sign-ins.

A token store is anything with three methods, per account name: ``load(account)`` (the saved
:class:`~xbox.auth.tokens.Session`, or None), ``save(account, session)`` and
``delete(account)`` (whether there was one). :class:`TokenStorage` says it for a store whose
methods return at once, :class:`AsyncTokenStorage` for one whose methods are coroutines (a
database driver, say).

Implementations here: :class:`~xbox.auth.store.TokenStore` (one file per account, atomic,
locked across processes) and :class:`MemoryTokenStore` (a dict, for tests and for programs
that keep sessions themselves). A host application passes its own: a config entry, a
database row, a keyring. ``session.to_dict()`` is the JSON-ready form to keep and
``Session.from_dict(data)`` reads it back.

:class:`xbox.Client` takes a :class:`TokenStorage`; :class:`xbox.AsyncClient` takes either
kind and awaits what needs awaiting. Why both for the async client: the stores hosts have are
of both kinds (Home Assistant's config entries are updated by a plain function running in its
event loop; a database behind asyncpg is awaited), and wrapping one kind as the other costs
the host a thread or an event loop it does not need. A blocking store (the file store) is
called as it is, from the event loop: its writes are a few hundred bytes, once per token
renewal (hours apart), not per request.

:class:`AsyncSessionStore` and :class:`SessionStore` are what the clients call (the second
is the first's generated twin's name: ``scripts/unasync.py`` drops the ``Async``).
"""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Awaitable
from typing import Protocol, TypeVar, cast, runtime_checkable

from ..exceptions import InvalidArgument
from .tokens import Session

__all__ = ["AsyncSessionStore", "AsyncTokenStorage", "MemoryTokenStore", "SessionStore",
           "TokenStorage", "check_account", "check_store"]

T = TypeVar("T")


@runtime_checkable
class TokenStorage(Protocol):
    """A token store whose methods return at once (the file store, a keyring, a dict).

    Each method is called under the client's sign-in lock: many concurrent calls that find
    the tokens expired make one renewal and one :meth:`save`.
    """

    def load(self, account: str) -> Session | None:
        """The saved session of ``account``, or None when there is none."""
        ...

    def save(self, account: str, session: Session) -> None:
        """Keep ``session`` as ``account``'s (called each time its tokens change)."""
        ...

    def delete(self, account: str) -> bool:
        """Forget ``account``'s session; whether there was one."""
        ...


@runtime_checkable
class AsyncTokenStorage(Protocol):
    """A token store whose methods are awaited (for :class:`xbox.AsyncClient` only)."""

    async def load(self, account: str) -> Session | None:
        """The saved session of ``account``, or None when there is none."""
        ...

    async def save(self, account: str, session: Session) -> None:
        """Keep ``session`` as ``account``'s (called each time its tokens change)."""
        ...

    async def delete(self, account: str) -> bool:
        """Forget ``account``'s session; whether there was one."""
        ...


class MemoryTokenStore:
    """Sessions kept in this process, per account name: a :class:`TokenStorage`.

    Each session is kept as its saved form (``to_dict()``) and read back anew, so what a
    client changes in memory never alters the stored copy behind its back. Several clients
    may share one; it is safe across threads.

    Args:
        sessions: sessions to start with, by account name.
    """

    def __init__(self, sessions: dict[str, Session] | None = None) -> None:
        self._saved: dict[str, str] = {}
        self._lock = threading.Lock()
        #: How many times each account was saved (tests and diagnostics read it).
        self.saves: dict[str, int] = {}
        for account, session in (sessions or {}).items():
            self.save(account, session)

    def load(self, account: str) -> Session | None:
        """The session saved for ``account``, or None."""
        with self._lock:
            data = self._saved.get(account)
        return None if data is None else Session.from_dict(json.loads(data))

    def save(self, account: str, session: Session) -> None:
        """Keep ``session`` for ``account`` (a copy)."""
        data = json.dumps(session.to_dict())
        with self._lock:
            self._saved[account] = data
            self.saves[account] = self.saves.get(account, 0) + 1

    def delete(self, account: str) -> bool:
        """Forget ``account``'s session; whether there was one."""
        with self._lock:
            return self._saved.pop(account, None) is not None

    def accounts(self) -> list[str]:
        """Names of the accounts with a session."""
        with self._lock:
            return sorted(self._saved)

    def __repr__(self) -> str:
        return f"<MemoryTokenStore accounts={self.accounts()!r}>"


def check_store(store: object) -> None:
    """Refuse, with a clear message, what is not a token store.

    Raises:
        TypeError: ``store`` lacks ``load``, ``save`` or ``delete``.
    """
    missing = [name for name in ("load", "save", "delete")
               if not callable(getattr(store, name, None))]
    if missing:
        raise TypeError(f"token_store must have load, save and delete methods (a "
                        f"TokenStorage), not {type(store).__name__} (it has no "
                        f"{', '.join(missing)})")


def _is_async(store: object) -> bool:
    return any(inspect.iscoroutinefunction(getattr(store, name, None))
               for name in ("load", "save", "delete"))


class AsyncSessionStore:
    """How :class:`xbox.AsyncClient` reaches its token store: awaited when it is an
    :class:`AsyncTokenStorage`, called as it is when a :class:`TokenStorage`.

    Args:
        store: the store (None: sessions live in memory only).
    """

    def __init__(self, store: TokenStorage | AsyncTokenStorage | None) -> None:
        if store is not None:
            check_store(store)
        self.store = store

    @property
    def blocking(self) -> bool:
        """Whether the store answers at once (or there is none): then :meth:`peek` works."""
        return self.store is None or not _is_async(self.store)

    def peek(self, account: str) -> Session | None:
        """The saved session, read at once (only for a store that answers at once)."""
        if self.store is None:
            return None
        return _now(self.store.load(account), "load")

    async def load(self, account: str) -> Session | None:
        """The saved session of ``account``."""
        if self.store is None:
            return None
        return await _settled(self.store.load(account))

    async def save(self, account: str, session: Session) -> None:
        """Save ``session`` for ``account``."""
        if self.store is not None:
            await _settled(self.store.save(account, session))

    async def delete(self, account: str) -> bool:
        """Delete ``account``'s session; whether there was one."""
        if self.store is None:
            return False
        return bool(await _settled(self.store.delete(account)))


class SessionStore:
    """How :class:`xbox.Client` reaches its token store: a :class:`TokenStorage` only.

    Raises:
        TypeError: the store's methods are coroutines (an :class:`AsyncTokenStorage`).
    """

    def __init__(self, store: TokenStorage | AsyncTokenStorage | None) -> None:
        if store is not None:
            check_store(store)
            if _is_async(store):
                raise TypeError("this token store's methods are coroutines (an "
                                "AsyncTokenStorage): use it with xbox.AsyncClient, or give "
                                "xbox.Client a store whose methods return at once")
        self.store = cast("TokenStorage | None", store)

    @property
    def blocking(self) -> bool:
        """Always True: a sync client's store answers at once."""
        return True

    def peek(self, account: str) -> Session | None:
        """The saved session, read at once."""
        return self.load(account)

    def load(self, account: str) -> Session | None:
        """The saved session of ``account``."""
        return None if self.store is None else _now(self.store.load(account), "load")

    def save(self, account: str, session: Session) -> None:
        """Save ``session`` for ``account``."""
        if self.store is not None:
            # (A store that breaks its protocol and returns an awaitable is refused.)
            _now(self.store.save(account, session), "save")  # type: ignore[func-returns-value]

    def delete(self, account: str) -> bool:
        """Delete ``account``'s session; whether there was one."""
        return False if self.store is None else bool(_now(self.store.delete(account), "delete"))


async def _settled(result: T | Awaitable[T]) -> T:
    if inspect.isawaitable(result):
        return cast("T", await result)
    return result


def _now(result: T | Awaitable[T], name: str) -> T:
    """A store method's result, which must not be awaitable here."""
    if inspect.isawaitable(result):
        close = getattr(result, "close", None)
        if callable(close):
            close()  # never awaited: no "coroutine was never awaited" warning
        raise TypeError(f"the token store's {name}() returned an awaitable: an async token "
                        "store needs xbox.AsyncClient")
    return result


def check_account(account: object) -> str:
    """An account name: a non-empty string (a file store narrows it further).

    Raises:
        InvalidArgument: anything else.
    """
    if not isinstance(account, str) or not account.strip():
        raise InvalidArgument(f"an account name is a non-empty string, not {account!r}")
    return account
