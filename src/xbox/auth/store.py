"""The token store: one JSON file per account, written atomically with mode 0600.

Files live under ``platformdirs.user_data_dir("xbox")/accounts/NAME.json``; ``$XBOX_HOME``
overrides the folder. A corrupt or foreign file is reported with its path and is never
overwritten silently. Writers take a file lock so two processes cannot interleave.

Folders the store creates are 0700; a folder that already exists (``$XBOX_HOME`` pointed at
one) keeps its mode. A token file that others can read (copied in with mode 0644, say) is
used, with a warning that says how to fix it.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
import warnings
from pathlib import Path

import platformdirs
from filelock import FileLock, Timeout

from ..exceptions import InvalidArgument, TokenStoreError
from .tokens import Session

__all__ = ["HOME_ENV", "TokenStore", "default_home"]

HOME_ENV = "XBOX_HOME"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


def default_home() -> Path:
    """``$XBOX_HOME`` or the platform's user data folder for ``xbox``."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("xbox"))


class TokenStore:
    """Saved sign-ins, one file per account name.

    Args:
        home: the folder (default: :func:`default_home`, read when first used).
    """

    def __init__(self, home: str | os.PathLike[str] | None = None) -> None:
        self._home = Path(home) if home is not None else None

    @property
    def home(self) -> Path:
        return self._home if self._home is not None else default_home()

    @property
    def folder(self) -> Path:
        return self.home / "accounts"

    def path(self, account: str) -> Path:
        if not _NAME_RE.match(account):
            raise InvalidArgument(
                f"an account name is letters, digits, '.', '_', '-' or '@' (max 64), not {account!r}")
        return self.folder / f"{account}.json"

    def _lock(self, account: str) -> FileLock:
        return FileLock(str(self.path(account)) + ".lock", timeout=30)

    def accounts(self) -> list[str]:
        """Names of the saved accounts."""
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json"))

    def load(self, account: str) -> Session | None:
        """The saved session of ``account``, or None when there is none.

        Raises:
            TokenStoreError: the file exists but is not a readable xbox token file.
        """
        path = self.path(account)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TokenStoreError(f"cannot read the token file {path}: {exc.strerror}",
                                  path=str(path), errno=exc.errno) from None
        _warn_if_readable_by_others(path)
        try:
            # Decoding is part of reading the file: binary junk is a corrupt file too.
            return Session.from_dict(json.loads(data.decode("utf-8")))
        except (ValueError, TypeError, KeyError):
            raise TokenStoreError(
                f"the token file {path} is corrupt or was not written by xbox; move it away "
                "or delete it, then run `xbox login`", path=str(path)) from None

    def save(self, account: str, session: Session) -> None:
        """Write ``session`` atomically (temp file + rename) with mode 0600, under a lock."""
        path = self.path(account)
        data = json.dumps(session.to_dict(), indent=2).encode()
        try:
            for folder in (self.home, self.folder):
                if not folder.is_dir():  # ours: private; an existing one keeps its mode
                    folder.mkdir(parents=True, exist_ok=True)
                    os.chmod(folder, 0o700)
            with self._lock(account):
                self._refuse_foreign(path)
                fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{account}.", suffix=".tmp")
                try:
                    os.fchmod(fd, 0o600)
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(data)
                        fh.flush()
                        os.fsync(fh.fileno())
                    os.replace(tmp, path)
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise
        except Timeout:
            raise TokenStoreError(f"another process holds the lock on {path}",
                                  path=str(path)) from None
        except OSError as exc:
            raise TokenStoreError(f"cannot write the token file {path}: {exc.strerror}",
                                  path=str(path), errno=exc.errno) from None

    def _refuse_foreign(self, path: Path) -> None:
        """Never overwrite a file that is not ours (hand-edited into nonsense, or another tool's)."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return
        try:
            Session.from_dict(json.loads(data.decode("utf-8")))
        except (ValueError, TypeError, KeyError):
            raise TokenStoreError(
                f"refusing to overwrite {path}: it is corrupt or was not written by xbox; "
                "move it away or delete it first", path=str(path)) from None

    def delete(self, account: str) -> bool:
        """Remove the account's file; True when there was one."""
        path = self.path(account)
        with self._lock(account):
            try:
                path.unlink()
            except FileNotFoundError:
                return False
        return True


_warned: set[str] = set()


def _warn_if_readable_by_others(path: Path) -> None:
    """Warn once per file when its mode lets other users read the tokens in it."""
    if os.name == "nt" or str(path) in _warned:
        return
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return
    if mode & 0o077:
        _warned.add(str(path))
        warnings.warn(f"the token file {path} can be read by other users (mode {mode:04o}); "
                      f"run `chmod 600 {path}`", stacklevel=4)

