"""The ``xbox`` command group: global options, the client, and exit codes.

Every command is a thin layer over the sync :class:`xbox.Client`. This module owns what is
shared: ``--sandbox`` (an in-process sandbox plus a demo sign-in), ``--account``, ``--json``,
``-v``/``-q`` (accepted anywhere on the line: ``xbox clips JoeAlcorn --json``), the mapping
of the exception tree onto exit codes, and the one-line reports of errors:

    0 ok, 1 failure, 2 usage error, 3 not found, 4 authentication needed or refused,
    75 a rate-limit wait longer than ``--max-wait`` (try again later), 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sqlite3
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO, TypeVar, cast

import click

from .. import Client, TokenStore, __version__
from ..exceptions import (
    AuthenticationException,
    InvalidArgument,
    MalformedRecord,
    NotFoundException,
    NotSignedIn,
    SessionNotSaved,
    TokenStoreError,
    WaitTooLong,
    XboxException,
)
from .output import Output, one_line, terminal_safe

if TYPE_CHECKING:
    from .. import PlannedRequest
    from ..sandbox import Sandbox

__all__ = [
    "EXIT_AUTH",
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_USAGE",
    "EXIT_WAIT",
    "State",
    "cli",
    "hoist_global_options",
    "pass_state",
    "planned",
]

EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
EXIT_AUTH = 4
EXIT_WAIT = 75  # sysexits' EX_TEMPFAIL: nothing is wrong, run it again later
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a Ctrl-C

#: The group's own flags, accepted anywhere on the line (moved before the command).
GLOBAL_FLAGS = frozenset({"--sandbox", "--json", "-v", "--verbose", "-q", "--quiet"})
GLOBAL_WITH_VALUE = frozenset({"--account", "--max-wait"})

#: The token store account that ``--sandbox`` signs in to, so that sandbox tokens never
#: mix with real ones (``--account NAME`` with ``--sandbox`` uses ``sandbox-NAME``).
SANDBOX_ACCOUNT = "sandbox"

log = logging.getLogger("xbox")
F = TypeVar("F", bound=Callable[..., Any])


def exit_code_for(exc: BaseException) -> int:
    """The exit code for an exception of the library's tree."""
    if isinstance(exc, NotFoundException):
        return EXIT_NOT_FOUND
    if isinstance(exc, TokenStoreError) and exc.errno is not None:
        return EXIT_FAILURE  # the disk refused the token file: nobody refused the sign-in
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
                 sandbox: Sandbox | None = None, max_wait: float | None = None) -> None:
        self.use_sandbox = use_sandbox
        self.max_wait = max_wait
        self.account = account
        self.out = output
        self.verbose = verbose
        self._sandbox = sandbox
        self._client: Client | None = None
        self.stack = contextlib.ExitStack()
        #: Set by commands whose work a second run picks up (archive, download): Ctrl-C
        #: then says so.
        self.resumable = False
        #: The one-line notices of rate-limit waits (None: -q or -v).
        self.waits: WaitNotices | None = None

    @property
    def account_name(self) -> str:
        if self.use_sandbox:
            return SANDBOX_ACCOUNT if self.account is None else f"{SANDBOX_ACCOUNT}-{self.account}"
        return self.account or "default"

    def sandbox(self) -> Sandbox:
        """The sandbox ``--sandbox`` serves (built on first use)."""
        if self._sandbox is None:
            # The sandbox (and its world) loads when a command needs it: not for `xbox --help`.
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
            base_url: str | None = None
            transport: Any = None
            if self.use_sandbox:
                try:
                    served = self.stack.enter_context(self.sandbox().serve())
                    base_url = served.base_url
                    log.debug("sandbox serving on %s", base_url)
                except ModuleNotFoundError as exc:  # no uvicorn (the sandbox extra)
                    if exc.name != "uvicorn":
                        raise
                    # The same sandbox answers in-process: every command works the same.
                    base_url, transport = self.sandbox().base_url, self.sandbox().transport()
                    log.debug("sandbox answering in-process (%s)", exc)
            self._client = self.stack.enter_context(
                Client(base_url=base_url, transport=transport, account=self.account_name,
                       max_wait=self.max_wait))
            if self.use_sandbox:
                # This run's sandbox is new and counts from zero: its budgets live and die
                # with it, in this process (never in a ledger file another run would read).
                self._client.governor.ledger = None
            if self.use_sandbox and sign_in:
                # As `xbox login` signs in (device code, then SISU): every service, mediahub
                # included, takes the demo account's tokens.
                self._client.login_device_code(on_code=lambda code: None)
        return self._client

    def close(self) -> None:
        self.stack.close()


def planned(client: Client, write: Callable[[], object]) -> PlannedRequest:
    """The request that ``write`` (a call of ``client``'s that changes something) sends,
    held back by a dry run: what ``--dry-run`` prints, and what the other runs report."""
    with client.dry_run() as dry:
        write()
    if dry.request is None:  # a call that turned out to change nothing: a bug, not input
        raise XboxException("the command would send no request")
    return dry.request


def pass_state(f: F) -> F:
    """Give a command the :class:`State` as its first argument."""
    return cast(F, click.pass_obj(f))


def _option_takes_value(command: click.Command | None, arg: str) -> bool:
    """Whether ``arg`` is an option of ``command`` that takes the next argument as its value."""
    if command is None or "=" in arg:
        return False
    for param in command.params:
        if isinstance(param, click.Option) and arg in (*param.opts, *param.secondary_opts):
            return not param.is_flag and not param.count
    return False


def hoist_global_options(group: click.Group, args: Sequence[str]) -> list[str]:
    """``args`` with the group's global options moved before the command, wherever they were
    typed (``xbox clips JoeAlcorn --json`` is ``xbox --json clips JoeAlcorn``).

    The line is walked the way click will parse it: the value of a command's own option is
    never taken for a global option, and everything after ``--`` stays where it is.
    """
    front: list[str] = []
    rest: list[str] = []
    command: click.Command | None = group
    items = list(args)
    i = 0
    while i < len(items):
        arg = items[i]
        if arg == "--":
            rest.extend(items[i:])
            break
        if arg in GLOBAL_FLAGS or (len(arg) > 1 and arg[0] == "-" and set(arg[1:]) <= {"v", "q"}):
            front.append(arg)
        elif arg in GLOBAL_WITH_VALUE:
            front.extend(items[i:i + 2])
            i += 1
        elif arg.split("=", 1)[0] in GLOBAL_WITH_VALUE:
            front.append(arg)
        elif arg.startswith("-") and _option_takes_value(command, arg):
            rest.extend(items[i:i + 2])
            i += 1
        else:
            if not arg.startswith("-") and isinstance(command, click.Group):
                sub = command.commands.get(arg)
                # A group that runs a default command for other words (``archive GAMERTAG``).
                command = sub if sub is not None else getattr(command, "default_command", None)
            rest.append(arg)
        i += 1
    return front + rest


def _not_signed_in_message(state: State | None) -> str:
    account = state.account if state is not None else None
    if account is None:
        return "not signed in: run `xbox login` (or set MS_LOGIN and MS_PASSWD)"
    return (f"account '{account}' is not signed in: run `xbox login --account {account}` "
            "(or set MS_LOGIN and MS_PASSWD)")


def _for_account(state: State | None, message: str) -> str:
    """A library message's ``xbox login`` hint, for the account this command used."""
    if state is not None and state.account is not None and not state.use_sandbox:
        return message.replace("`xbox login", f"`xbox login --account {state.account}")
    return message


def _os_error_message(exc: OSError) -> str:
    what = exc.strerror or str(exc)
    where = exc.filename
    if where is None:
        return what
    other = f" -> {exc.filename2}" if exc.filename2 else ""
    return f"{where}{other}: {what}"


GLOBAL_HELP = [
    ("--sandbox", "run against the embedded Xbox Live sandbox"),
    ("--account NAME", "which saved sign-in to use"),
    ("--json", "print JSON on stdout, and nothing else there"),
    ("--max-wait SECONDS", "fail (exit 75) rather than wait longer for a rate limit"),
    ("-v / -q", "log requests and show tracebacks / only errors on stderr"),
]


def write_global_options(formatter: click.HelpFormatter) -> None:
    """The section of a command's help that lists the global options it accepts too."""
    with formatter.section("Global options (anywhere on the line)"):
        formatter.write_dl(GLOBAL_HELP)


class XboxCommand(click.Command):
    """A command whose help also lists the global options it accepts."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        write_global_options(formatter)


class XboxGroup(click.Group):
    """The top group: global options anywhere, and library exceptions turned into a
    one-line message and an exit code."""

    command_class = XboxCommand

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(self, args))

    def invoke(self, ctx: click.Context) -> Any:
        # ctx.obj becomes the State in the group's callback, inside super().invoke().
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            # click prints it: a message that quotes the service (a gamertag) shows safely.
            setattr(exc, "message", terminal_safe(exc.message))  # noqa: B010  (Final in click's stubs)
            raise
        except WaitTooLong as exc:
            # --max-wait said not to wait this long: the wait, and when to try again.
            wait = math.ceil(exc.retry_after or 0)
            _report(ctx, f"{exc.service or 'Xbox Live'} needs a {wait} s wait for its rate "
                         f"limit, longer than --max-wait {exc.max_wait or 0:g}; try again in "
                         f"{wait} s")
            ctx.exit(EXIT_WAIT)
        except InvalidArgument as exc:
            # The library refused an argument before sending anything: bad input.
            _report(ctx, str(exc))
            ctx.exit(EXIT_USAGE)
        except NotSignedIn:
            _report(ctx, _not_signed_in_message(_state(ctx)))
            ctx.exit(EXIT_AUTH)
        except XboxException as exc:
            _report(ctx, _for_account(_state(ctx), str(exc) or type(exc).__name__))
            ctx.exit(exit_code_for(exc))
        except BrokenPipeError:
            # `xbox ... | head` closed the pipe: nothing more to say, and nowhere to say it.
            with contextlib.suppress(OSError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
            ctx.exit(EXIT_FAILURE)
        except OSError as exc:
            # A folder that cannot be created, a read-only or full disk: say which file.
            _report(ctx, _os_error_message(exc))
            ctx.exit(EXIT_FAILURE)
        except sqlite3.Error as exc:
            # The archive catalogue names its file itself; this is the last resort.
            _report(ctx, f"the archive catalogue: {exc}")
            ctx.exit(EXIT_FAILURE)
        except KeyboardInterrupt:
            current = _state(ctx)
            if current is not None and current.verbose:
                traceback.print_exc(file=sys.stderr)
            resume = current is not None and current.resumable
            click.echo("\ninterrupted; run the same command to resume" if resume
                       else "\ninterrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)


def _state(ctx: click.Context) -> State | None:
    return ctx.obj if isinstance(ctx.obj, State) else None


def _report(ctx: click.Context, message: str) -> None:
    state = _state(ctx)
    if state is not None and state.verbose:
        traceback.print_exc(file=sys.stderr)
    click.echo(f"Error: {one_line(message)}", err=True)


class WaitNotices(logging.Handler):
    """The library's ``waiting N s for HOST (rate limit)`` log records as one stderr line
    each (the waits of at least :attr:`threshold` seconds), so that a stall is never silent:
    not for a person at a terminal, nor in a script's or cron's log.

    ``sink`` is where a line goes: stderr, or a progress display's console while one is
    drawn (so that the line prints above the bars instead of through them).
    """

    #: The shortest wait worth a line, in seconds.
    threshold = 1.0

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.sink: Callable[[str], None] = lambda text: click.echo(terminal_safe(text), err=True)

    def emit(self, record: logging.LogRecord) -> None:
        wait = getattr(record, "rate_limit_wait", None)
        if not isinstance(wait, int | float) or wait < self.threshold:
            return
        try:
            self.sink(terminal_safe(record.getMessage()))
        except Exception:  # a notice must never break the command
            self.handleError(record)


def _show_waits(state: State, verbose: int, quiet: bool) -> Callable[[], None]:
    """Install :class:`WaitNotices`, on a terminal or not (not with -q, and not with -v,
    which logs every record anyway); returns the undo."""
    if verbose or quiet:
        return lambda: None
    logger = logging.getLogger("xbox")
    level = logger.level
    handler = WaitNotices()
    state.waits = handler
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)

    def undo() -> None:
        logger.removeHandler(handler)
        logger.setLevel(level)

    return undo


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
    """The library's warnings about records it set aside, or a renewed sign-in the disk could
    not save, become one ``warning:`` line each on stderr (none with -q); returns the undo."""
    saved = warnings.catch_warnings()
    saved.__enter__()
    warnings.simplefilter("always", MalformedRecord)  # every call's own line, even if alike
    previous = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: TextIO | None = None, line: str | None = None) -> None:
        if issubclass(category, MalformedRecord | SessionNotSaved):
            if not quiet:
                click.echo(terminal_safe(f"warning: {message}"), err=True)
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
@click.option("--max-wait", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="The longest rate-limit wait to take; a longer one fails with exit code "
                   "75 (0: never wait).")
# The version this package says it is (xbox.__version__), not a look-up of the installed
# distribution: importlib.metadata would cost a third of `xbox --version`'s start-up.
@click.version_option(__version__, prog_name="xbox")
@click.pass_context
def cli(ctx: click.Context, use_sandbox: bool, account: str | None, json_mode: bool, verbose: int,
        quiet: bool, max_wait: float | None) -> None:
    """Xbox Live from the command line: profiles, captures, achievements, archives.

    The options below are accepted anywhere on the line (`xbox clips JoeAlcorn --json`).
    Exit codes: 0 ok, 1 failure, 2 usage error, 3 not found, 4 sign-in needed or refused,
    75 a wait longer than --max-wait, 130 interrupted.
    """
    if account is not None:
        try:
            TokenStore().path(account)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--account") from None
    ctx.call_on_close(_setup_logging(verbose, quiet))
    ctx.call_on_close(_route_warnings(quiet))
    injected = ctx.obj
    sandbox: Sandbox | None = None
    if injected is not None:  # a test hands a prebuilt sandbox in (then it is loaded already)
        from ..sandbox import Sandbox

        sandbox = injected if isinstance(injected, Sandbox) else None
    state = State(use_sandbox=use_sandbox, account=account,
                  output=Output(json_mode=json_mode, quiet=quiet), verbose=verbose, sandbox=sandbox,
                  max_wait=max_wait)
    ctx.obj = state
    ctx.call_on_close(_show_waits(state, verbose, quiet))
    ctx.call_on_close(state.close)
