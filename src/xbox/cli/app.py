"""The ``xbox`` command group: global options, the client, and exit codes.

Every command is a thin layer over the sync :class:`xbox.Client`. This module owns what is
shared: ``--sandbox`` (an in-process sandbox plus a demo sign-in), ``--account``, ``--json``,
``-v``/``-q``, and the mapping of the exception tree onto exit codes:

    0 ok, 1 failure, 2 usage error, 3 not found, 4 authentication needed or refused.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import traceback
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO, TypeVar, cast

import click

from ..exceptions import (
    AuthenticationException,
    InvalidArgument,
    NotFoundException,
    XboxException,
)
from .output import Output

if TYPE_CHECKING:
    from .. import Client
    from ..sandbox import Sandbox

__all__ = ["EXIT_AUTH", "EXIT_FAILURE", "EXIT_NOT_FOUND", "EXIT_USAGE", "State", "cli", "pass_state"]

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_AUTH = 4

#: The token store account that ``--sandbox`` signs in to, so that sandbox tokens never
#: mix with real ones (``--account NAME`` with ``--sandbox`` uses ``sandbox-NAME``).
SANDBOX_ACCOUNT = "sandbox"

log = logging.getLogger("xbox")
F = TypeVar("F", bound=Callable[..., Any])


def exit_code_for(exc: BaseException) -> int:
    """The exit code for an exception of the library's tree."""
    if isinstance(exc, NotFoundException):
        return EXIT_NOT_FOUND
    if isinstance(exc, AuthenticationException):
        return EXIT_AUTH
    return EXIT_FAILURE


class State:
    """What one invocation shares between the group and its command.

    Args:
        use_sandbox: run the embedded sandbox and sign in as its demo account.
        account: the token store account (None: ``default``).
        output: where things are printed.
        verbose: -v count (tracebacks and debug logging from 1).
        sandbox: a prebuilt sandbox to serve for ``--sandbox`` (a testing hook: tests pass one
            as click's ``obj`` to look at the tokens it issued).
    """

    def __init__(self, *, use_sandbox: bool, account: str | None, output: Output, verbose: int,
                 sandbox: Sandbox | None = None) -> None:
        self.use_sandbox = use_sandbox
        self.account = account
        self.out = output
        self.verbose = verbose
        self._sandbox = sandbox
        self._client: Client | None = None
        self.stack = contextlib.ExitStack()

    @property
    def account_name(self) -> str:
        if self.use_sandbox:
            return SANDBOX_ACCOUNT if self.account is None else f"{SANDBOX_ACCOUNT}-{self.account}"
        return self.account or "default"

    def sandbox(self) -> Sandbox:
        """The sandbox ``--sandbox`` serves (built on first use)."""
        if self._sandbox is None:
            from ..sandbox import Lifetimes, Sandbox

            # A one-second device-code interval keeps `xbox --sandbox login` snappy.
            self._sandbox = Sandbox(seed=0, lifetimes=Lifetimes(device_interval=1))
        if self.use_sandbox:
            # The demo sign-in below is not a person at microsoft.com/link: approve at once.
            self._sandbox.device_code_pending_polls = 0
        return self._sandbox

    def client(self, *, sign_in: bool = True) -> Client:
        """The client for this invocation, opened on first use and closed when the CLI ends.

        With ``--sandbox`` the sandbox is served on a free loopback port and, unless
        ``sign_in`` is False (``login``/``logout`` do their own), the demo account signs in:
        the sandbox issues fresh tokens each run, so a saved sandbox session never outlives it.
        """
        if self._client is None:
            import xbox

            base_url: str | None = None
            if self.use_sandbox:
                served = self.stack.enter_context(self.sandbox().serve())
                base_url = served.base_url
                log.debug("sandbox serving on %s", base_url)
            self._client = self.stack.enter_context(
                xbox.Client(base_url=base_url, account=self.account_name))
            if self.use_sandbox and sign_in:
                # As `xbox login` signs in (device code, then SISU): every service, mediahub
                # included, takes the demo account's tokens.
                self._client.login_device_code(on_code=lambda code: None)
        return self._client

    def close(self) -> None:
        self.stack.close()


def pass_state(f: F) -> F:
    """Give a command the :class:`State` as its first argument."""
    return cast(F, click.pass_obj(f))


class XboxGroup(click.Group):
    """A group that turns library exceptions into a one-line message and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InvalidArgument as exc:
            # The library refused an argument before sending anything: bad input.
            state = ctx.obj if isinstance(ctx.obj, State) else None
            _report(state, str(exc))
            ctx.exit(EXIT_USAGE)
        except XboxException as exc:
            state = ctx.obj if isinstance(ctx.obj, State) else None
            _report(state, str(exc) or type(exc).__name__)
            ctx.exit(exit_code_for(exc))
        except OSError as exc:
            # A folder that cannot be created, a read-only or full disk: say which file.
            state = ctx.obj if isinstance(ctx.obj, State) else None
            where = f": {exc.filename}" if exc.filename else ""
            _report(state, f"{exc.strerror or exc}{where}")
            ctx.exit(EXIT_FAILURE)


def _report(state: State | None, message: str) -> None:
    if state is not None and state.verbose:
        traceback.print_exc(file=sys.stderr)
    click.echo(f"Error: {message}", err=True)


def _setup_logging(verbose: int, quiet: bool) -> Callable[[], None]:
    """Send the library's log to stderr for -v (or mute warnings for -q); returns the undo,
    so that in-process runs (tests, embedding) do not pile up handlers."""
    logger = logging.getLogger("xbox")
    level = logger.level
    handler: logging.Handler | None = None
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    elif quiet:
        logger.setLevel(logging.ERROR)

    def undo() -> None:
        if handler is not None:
            logger.removeHandler(handler)
        logger.setLevel(level)

    return undo


def _route_warnings(quiet: bool) -> Callable[[], None]:
    """The library's warnings about records it set aside become one ``warning:`` line each
    on stderr (none with -q); returns the undo."""
    from ..models import MalformedRecord

    saved = warnings.catch_warnings()
    saved.__enter__()
    warnings.simplefilter("always", MalformedRecord)  # every call's own line, even if alike
    previous = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: TextIO | None = None, line: str | None = None) -> None:
        if issubclass(category, MalformedRecord):
            if not quiet:
                click.echo(f"warning: {message}", err=True)
            return
        previous(message, category, filename, lineno, file, line)

    warnings.showwarning = show
    return lambda: saved.__exit__(None, None, None)


@click.group(cls=XboxGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--sandbox", "use_sandbox", is_flag=True,
              help="Run against the embedded Xbox Live sandbox, signed in as its demo account.")
@click.option("--account", metavar="NAME", default=None,
              help="Which saved sign-in to use (default: 'default').")
@click.option("--json", "json_mode", is_flag=True, help="Print JSON on stdout, and nothing else there.")
@click.option("-v", "--verbose", count=True, help="Log requests to stderr; show tracebacks.")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@click.version_option(package_name="xbox", prog_name="xbox")
@click.pass_context
def cli(ctx: click.Context, use_sandbox: bool, account: str | None, json_mode: bool, verbose: int,
        quiet: bool) -> None:
    """Xbox Live from the command line: profiles, captures, achievements, archives."""
    if account is not None:
        from ..auth.store import TokenStore

        try:
            TokenStore().path(account)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--account") from None
    ctx.call_on_close(_setup_logging(verbose, quiet))
    ctx.call_on_close(_route_warnings(quiet))
    injected = ctx.obj
    sandbox: Sandbox | None = None
    if injected is not None:
        from ..sandbox import Sandbox

        sandbox = injected if isinstance(injected, Sandbox) else None
    state = State(use_sandbox=use_sandbox, account=account,
                  output=Output(json_mode=json_mode, quiet=quiet), verbose=verbose, sandbox=sandbox)
    ctx.obj = state
    ctx.call_on_close(state.close)
