"""``xbox sandbox serve``: the Xbox Live emulator on a loopback port, for demos and tests."""

from __future__ import annotations

import json
import signal
import sys
from types import FrameType

import click

from .app import State, cli, pass_state


@cli.group()
def sandbox() -> None:
    """The embedded Xbox Live sandbox."""


def _stop(signum: int, frame: FrameType | None) -> None:
    # SIGTERM ends the server the same way Ctrl-C does: through the orderly shutdown path.
    raise KeyboardInterrupt


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--seed", type=int, default=0, show_default=True, help="World seed.")
@click.option("--no-rate-limits", is_flag=True, help="Turn off Xbox Live rate limiting.")
@click.option("--rate-limit-scale", type=click.FloatRange(min=0, min_open=True), default=1.0,
              show_default=True, metavar="FACTOR",
              help="Shrink the rate-limit windows by this factor (0.01: burst 0.15 s, sustain 3 s).")
@click.option("--era", type=click.Choice(["2014", "2018", "2025"]), default="2025", show_default=True,
              envvar="XBOX_SANDBOX_ERA",
              help="Wire era: 2025 is today's (the 2025-26 recordings: integer enums, isFriend "
                   "on summaries..., login.live.com's JSON ServerData page); 2018 and 2014 "
                   "serve the older shapes. Environment: XBOX_SANDBOX_ERA.")
@click.option("--activity", is_flag=True,
              help="Set the world moving: people come online, play, unlock achievements and "
                   "record clips every few seconds (real-time events to watch).")
@pass_state
def serve(state: State, host: str, port: int, seed: int, no_rate_limits: bool,
          rate_limit_scale: float, era: str, activity: bool) -> None:
    """Serve the sandbox until stopped; its base URL is the first line of stdout."""
    # (the sandbox loads with the command: not for `xbox --help`)
    from ..sandbox import Sandbox
    from ..sandbox.asgi import is_loopback_host, run_server

    if not is_loopback_host(host):
        # Always shown (even with -q): the sandbox signs anyone in and serves its data.
        click.echo(f"Warning: serving on {host}, not on loopback: the sandbox has no real "
                   "security, so anyone who can reach this address can use it.", err=True)

    def ready(base_url: str) -> None:
        # The first stdout line is the contract scripts rely on: print it, flush it.
        if state.out.json_mode:
            click.echo(json.dumps({"base_url": base_url}))
        else:
            click.echo(base_url)
        sys.stdout.flush()
        state.out.info(f"Xbox Live sandbox (seed {seed}, era {era}) on {base_url}; "
                       f"use it with XBOX_LIVE_BASE_URL={base_url}. Ctrl-C stops it.")

    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, _stop)
    except ValueError:
        previous = None  # not the main thread (an embedding test): leave signals alone
    try:
        sandbox = Sandbox(seed=seed, rate_limits=not no_rate_limits,
                          rate_limit_scale=rate_limit_scale, era=era, activity=activity)
        run_server(sandbox, host, port, on_ready=ready)
    except ModuleNotFoundError as exc:
        if exc.name != "uvicorn":
            raise
        raise click.ClickException(str(exc)) from None  # how to install it, in one line
    except OSError as exc:
        raise click.ClickException(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
