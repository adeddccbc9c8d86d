"""Every error `xbox` raises, in one tree rooted at the seed's :class:`XboxException`.

::

    XboxException
     ├── AuthenticationException            sign-in failed or is needed
     │    ├── NotSignedIn                   no credentials and no saved account
     │    ├── InvalidCredentials            wrong password or unknown account
     │    ├── SignInBlocked                 Microsoft wants a person to look (2FA, security block)
     │    ├── SignInPageUnreadable          the sign-in page lacks what password sign-in reads
     │    ├── ReauthenticationRequired      refresh token revoked or expired: sign in again
     │    ├── DeviceCodeExpired             the device code ran out before anyone approved it
     │    ├── DeviceCodeDeclined            the person declined the device-code sign-in
     │    ├── XstsError                     Xbox refused the account (XErr, reason, fix URL)
     │    └── TokenStoreError               token file corrupt, foreign or unwritable
     ├── InvalidRequest(message, response)  400: the server refused the request
     ├── NotFoundException                  404
     │    ├── GamertagNotFound
     │    ├── ClipNotFound
     │    └── ScreenshotNotFound
     ├── PermissionDenied                   403: privacy settings or missing rights
     ├── RateLimited                        429 after the governor and retries (retry_after)
     │    └── WaitTooLong                   a rate-limit wait longer than max_wait: not taken
     ├── ServerError                        5xx after retries
     │    └── ServiceUnavailable            sign-in is down or answers nonsense: try later
     ├── TransportError                     the connection failed (after retries)
     │    └── Timeout
     ├── MalformedResponse                  the body is not what the service promises
     ├── DownloadError                      media could not be fetched or failed verification
     │    └── DiskError                     its file could not be written (disk full, I/O error)
     ├── ArchiveError                       an archive folder cannot be used as it is
     │    ├── CatalogueError                its catalogue holds a value no run wrote
     │    └── ArchiveBusy                   another run holds the folder
     └── InvalidArgument (also ValueError)  bad input, refused before any request

Every exception carries what a user needs to act on it (``status_code``, ``service``,
``body``, ``correlation_id``) and ``str(e)`` always says what happened. No exception text
ever contains a token or a password.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    import httpx

__all__ = [
    "ArchiveBusy",
    "ArchiveError",
    "AuthenticationException",
    "CatalogueError",
    "ClipNotFound",
    "DeviceCodeDeclined",
    "DeviceCodeExpired",
    "DiskError",
    "DownloadError",
    "GamertagNotFound",
    "InvalidArgument",
    "InvalidCredentials",
    "InvalidRequest",
    "MalformedResponse",
    "MissingDependency",
    "NotFoundException",
    "NotSignedIn",
    "PermissionDenied",
    "RateLimited",
    "ReauthenticationRequired",
    "ScreenshotNotFound",
    "ServerError",
    "ServiceUnavailable",
    "SignInBlocked",
    "SignInPageUnreadable",
    "Timeout",
    "TokenStoreError",
    "TransportError",
    "WaitTooLong",
    "XboxException",
    "XstsError",
]


#: Request headers that carry credentials: redacted on every response an exception keeps.
SECRET_HEADERS = ("Authorization", "Cookie")


def _redact_request(response: Any) -> None:
    """Blank the credentials of the request behind ``response`` (it was sent already): an
    exception logged or pickled with its response must not carry a live token."""
    try:
        headers = response.request.headers
    except (AttributeError, RuntimeError):  # a response built without a request
        return
    for name in SECRET_HEADERS:
        if name in headers:
            headers[name] = "[redacted]"


class XboxException(Exception):
    """Base exception for all Xbox exceptions to subclass.

    Attributes:
        message: what happened, in a sentence.
        status_code: HTTP status of the response that caused it, if any.
        service: the Xbox Live host that answered (``profile.xboxlive.com``), if any.
        body: the server's error body (parsed JSON when it was JSON), if any.
        correlation_id: the ``x-xblcorrelationid`` / ``MS-CV`` of the response, if any.
        response: the HTTP response (an ``httpx.Response``), if any, for debugging: its
            request's ``Authorization`` and ``Cookie`` headers are redacted.
    """

    default_message = "Xbox Live request failed"
    response: httpx.Response | None

    def __init__(
        self,
        message: str | None = None,
        response: httpx.Response | None = None,
        *,
        status_code: int | None = None,
        service: str | None = None,
        body: Any = None,
        correlation_id: str | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.response = response
        if response is not None:
            _redact_request(response)
        if response is not None and status_code is None:
            status_code = getattr(response, "status_code", None)
        self.status_code = status_code
        self.service = service
        self.body = body
        self.correlation_id = correlation_id
        super().__init__(self.message)

    def __str__(self) -> str:
        details = []
        if self.status_code is not None:
            details.append(f"HTTP {self.status_code}")
        if self.service and self.service not in self.message:
            details.append(self.service)
        if self.correlation_id:
            details.append(f"correlation id {self.correlation_id}")
        return f"{self.message} ({', '.join(details)})" if details else self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class AuthenticationException(XboxException):
    """Raised when logging in fails, likely due to incorrect auth credentials."""

    default_message = "Could not sign in to Xbox Live"


class NotSignedIn(AuthenticationException):
    """No credentials were given and no signed-in account is saved."""

    default_message = (
        "Not signed in: run `xbox login`, call authenticate(login, password), "
        "or set MS_LOGIN and MS_PASSWD"
    )


class InvalidCredentials(AuthenticationException):
    """The e-mail address or password was refused by login.live.com."""

    default_message = "Could not log in with supplied credentials"


class SignInBlocked(AuthenticationException):
    """Microsoft wants a person to act (two-step verification, security block, consent).

    The fix is to sign in once in a browser, or to use ``xbox login`` (device code).
    """

    default_message = (
        "Microsoft asked for extra verification; sign in with `xbox login` (device code) instead"
    )


class SignInPageUnreadable(AuthenticationException):
    """login.live.com's sign-in page lacks what password sign-in reads off it: ``urlPost``
    (where the password is sent) or the ``PPFT`` flow token. Nothing was sent.

    Microsoft changes the page now and then (it last did in mid-2025); ``xbox login`` (device
    code) does not depend on it.

    Attributes:
        missing: what the page lacked, among ``"urlPost"`` and ``"PPFT"``.
    """

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = tuple(missing)
        names = {"urlPost": "urlPost (where to send the password)",
                 "PPFT": "PPFT (the page's flow token)"}
        super().__init__(
            "login.live.com sent a sign-in page without "
            + " or ".join(names.get(m, m) for m in self.missing)
            + "; no password was sent. Sign in with `xbox login` (device code) instead",
            service="login.live.com")


class ReauthenticationRequired(AuthenticationException):
    """The saved sign-in can no longer be refreshed; the user must sign in again."""

    default_message = "The saved sign-in has expired or was revoked: run `xbox login` again"


class DeviceCodeExpired(AuthenticationException):
    """The device code expired (or the wait timed out) before the sign-in was approved."""

    default_message = (
        "The sign-in code expired before it was used; run `xbox login` again for a new code"
    )


class DeviceCodeDeclined(AuthenticationException):
    """The person declined the device-code sign-in at microsoft.com/link."""

    default_message = "The sign-in was declined at microsoft.com/link; run `xbox login` to try again"


class TokenStoreError(AuthenticationException):
    """A token file is corrupt, from another program, or cannot be written.

    Attributes:
        path: the file in question.
        errno: for a file that could not be read or written, the operating system's error
            number (``errno.ENOSPC``: the disk is full): a disk error, not a refused
            sign-in. None for a corrupt or foreign file.
    """

    def __init__(self, message: str, *, path: str, errno: int | None = None) -> None:
        self.path = path
        self.errno = errno
        super().__init__(message)


class XstsError(AuthenticationException):
    """Xbox Live refused to authorize the account (an XSTS ``XErr``).

    Attributes:
        xerr: the numeric XErr code (``2148916233``).
        reason: what it means, in plain language.
        redirect: the page where the account owner can fix it, if any.
    """

    def __init__(
        self,
        message: str,
        response: httpx.Response | None = None,
        *,
        xerr: int | None,
        reason: str,
        redirect: str | None = None,
        status_code: int | None = None,
        body: Any = None,
        correlation_id: str | None = None,
    ) -> None:
        self.xerr = xerr
        self.reason = reason
        self.redirect = redirect
        super().__init__(
            message,
            response,
            status_code=status_code,
            service="xsts.auth.xboxlive.com",
            body=body,
            correlation_id=correlation_id,
        )


class InvalidRequest(XboxException):
    """Something is wrong with the request.

    Attributes:
        message: error message returned by the server if possible.
        response: the HTTP response object.
    """

    default_message = "Invalid request"


class NotFoundException(XboxException):
    """Any exception raised due to a resource being missing will subclass this."""

    default_message = "Not found"


class GamertagNotFound(NotFoundException):
    """No Xbox Live user has that gamertag or xuid."""

    default_message = "No such user"


class ClipNotFound(NotFoundException):
    """No game clip matches that xuid, scid and clip id."""

    default_message = "Could not find clip"


class ScreenshotNotFound(NotFoundException):
    """No screenshot matches that xuid, scid and screenshot id."""

    default_message = "Could not find screenshot"


class PermissionDenied(XboxException):
    """The service refused access (HTTP 403): privacy settings or missing rights."""

    default_message = "Xbox Live refused access to this resource (privacy or permissions)"


class RateLimited(XboxException):
    """Xbox Live throttled the request (HTTP 429) and retries did not get through.

    Attributes:
        retry_after: seconds the service asked to wait, if it said.
    """

    default_message = "Xbox Live rate limit reached"

    def __init__(self, message: str | None = None, response: httpx.Response | None = None, *,
                 retry_after: float | None = None, status_code: int | None = None,
                 service: str | None = None, body: Any = None,
                 correlation_id: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message, response, status_code=status_code, service=service, body=body,
                         correlation_id=correlation_id)

    def __str__(self) -> str:
        text = super().__str__()
        if self.retry_after is not None:
            text += f"; retry after {self.retry_after:g} s"
        return text


class WaitTooLong(RateLimited):
    """A rate-limit wait (the governor's, or a 429's ``Retry-After``) would be longer than
    the client's ``max_wait``, so it was not taken and nothing was sent (``max_wait=0``:
    fail fast instead of waiting). The message states the wait.

    Attributes:
        retry_after: the seconds the wait would have taken (from when it was raised).
        max_wait: the client's ``max_wait``.
    """

    default_message = "a rate-limit wait longer than max_wait"

    def __init__(self, message: str | None = None, response: httpx.Response | None = None, *,
                 retry_after: float | None = None, max_wait: float | None = None,
                 service: str | None = None) -> None:
        self.max_wait = max_wait
        super().__init__(message, response, retry_after=retry_after, service=service)


class ServerError(XboxException):
    """Xbox Live answered with a 5xx error, even after retries."""

    default_message = "Xbox Live had a server error"


class ServiceUnavailable(ServerError):
    """A sign-in service is down, or answered with something that is not a sign-in answer
    (an HTML page, a proxy's error): an outage, not a refusal. Nothing about the account is
    wrong; try again later."""

    default_message = "Xbox Live sign-in is unavailable; try again later"


class TransportError(XboxException):
    """The request could not reach Xbox Live (connection refused, reset, DNS...)."""

    default_message = "Could not reach Xbox Live"


class Timeout(TransportError):
    """Xbox Live did not answer in time."""

    default_message = "Xbox Live did not answer in time"


class MalformedResponse(XboxException):
    """The service answered with a body that is not what it promises."""

    default_message = "Xbox Live sent a response this library cannot read"


class DownloadError(XboxException):
    """A capture could not be downloaded, or the bytes failed verification."""

    default_message = "Download failed"


class DiskError(DownloadError):
    """A capture's file could not be written: the disk is full, a name is too long for the
    filesystem, an I/O error.

    Attributes:
        errno: the operating system's error number (``errno.ENOSPC`` for a full disk).
        path: the file that could not be written.
        disk_full: the disk (or the user's quota) is full: every other file would fail
            too until space is freed.
    """

    default_message = "Could not write the file"

    def __init__(self, message: str, *, errno: int | None = None, path: str | None = None) -> None:
        self.errno = errno
        self.path = path
        super().__init__(message)

    @property
    def disk_full(self) -> bool:
        import errno as codes  # (a name of this class's shadows the module)

        return self.errno in (codes.ENOSPC, getattr(codes, "EDQUOT", codes.ENOSPC))


class ArchiveError(XboxException):
    """An archive folder cannot be used as it is (see the subclasses)."""

    default_message = "The archive folder cannot be used"


class CatalogueError(ArchiveError):
    """The archive's catalogue holds a value that no run wrote (a hand edit, another
    program, a damaged file): a path outside the folder, a status or date that is not one.

    Attributes:
        path: the catalogue file.
    """

    default_message = "The archive catalogue holds a value no run wrote"

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(message)


class ArchiveBusy(ArchiveError):
    """Another run (``xbox archive``, ``archive verify --repair``) holds the archive folder,
    and it was not let go within the wait.

    Attributes:
        path: the folder.
    """

    default_message = "Another run is using the archive folder"

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(message)


class InvalidArgument(XboxException, ValueError):
    """An argument that cannot be right (a malformed xuid, gamertag, option...), refused
    before any request. Also a :class:`ValueError`, so ``except ValueError`` still works."""

    default_message = "Invalid argument"


class MissingDependency(XboxException, ImportError):
    """A feature needs a package that an extra of ``xbox`` installs, and it is missing.

    Also an :class:`ImportError`. ``str(e)`` says which ``pip install`` brings it.
    """

    default_message = "A package this feature needs is not installed"

    @classmethod
    def extra(cls, extra: str, feature: str, *packages: str) -> MissingDependency:
        """The error for ``feature`` needing ``packages``, which ``xbox[extra]`` installs."""
        missing = " and ".join(packages)
        return cls(f"{feature}: {missing} {'is' if len(packages) == 1 else 'are'} not installed "
                   f"(pip install 'xbox[{extra}]')")


class SessionNotSaved(UserWarning):
    """A renewed sign-in could not be saved to the token store (a full or read-only disk).

    A warning, not an exception: the renewed tokens stay in use in memory for the rest of
    the process, and the next process renews again from the tokens saved before.
    """


class MalformedRecord(UserWarning):
    """Records of a list or batch could not be read; the rest were.

    A warning, not an exception; public as ``xbox.models.MalformedRecord``. It lives here,
    beside the exceptions, so that code that only filters it (the command line) need not
    import the models and pydantic.
    """
