"""Signing in and out: ``login``, ``logout``, ``whoami``.

Secrets never reach the terminal: the password prompt hides input, and only the gamertag,
xuid, login e-mail and expiry times are printed (``client.whoami()`` holds no token).
"""

from __future__ import annotations

import os
import sys
import webbrowser
from typing import TYPE_CHECKING

import click

from .app import State, cli, pass_state

if TYPE_CHECKING:
    from ..auth.flows import DeviceCode
    from ..auth.state import WhoAmI


def _show_identity(state: State, info: WhoAmI, *, verb: str) -> None:
    if state.out.json_mode:
        state.out.json(info)
        return
    flow = {"sisu": "SISU (as the Xbox app)", "title": "device + title token",
            "plain": "user token + XSTS"}.get(str(info.get("flow")), info.get("flow"))
    state.out.fields([
        ("Account", info.get("account")),
        ("Gamertag", info.get("gamertag")),
        ("XUID", info.get("xuid")),
        ("Login", info.get("login")),
        ("Signed in with", flow),
        ("App id", info.get("app_id")),
        ("Token expires", info.get("xsts_expires")),
        ("Device expires", info.get("device_expires")),
        ("Refreshable", info.get("can_refresh")),
    ], title=verb)


def _can_open_browser() -> bool:
    """Whether a person at this terminal could use a browser opened here: a terminal on
    both ends and a browser ``webbrowser`` knows (none over SSH or in a container)."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return False
    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


@cli.command()
@click.option("--device-code", "method", flag_value="device-code", default=True,
              help="Show a code to enter at microsoft.com/link (the default; works with 2FA).")
@click.option("--browser", "method", flag_value="browser", help="Sign in in a web browser.")
@click.option("--password", "method", flag_value="password",
              help="E-mail and password (MS_LOGIN/MS_PASSWD, else prompted; no 2FA).")
@click.option("--client-id", metavar="ID", envvar="XBOX_CLIENT_ID",
              help="Your own Azure app's client id (default: the Xbox app's public id).")
@click.option("--client-secret", metavar="SECRET", envvar="XBOX_CLIENT_SECRET",
              help="Your Azure app's secret, if it has one (--browser only).")
@click.option("--scope", metavar="SCOPES",
              help="OAuth scopes (default: MBI_SSL for Microsoft ids, "
                   "'Xboxlive.signin Xboxlive.offline_access' for Azure apps).")
@click.option("--redirect-port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="--browser with your own Azure app: the 127.0.0.1 port of "
                   "http://127.0.0.1:PORT/auth/callback (fix it to the redirect URI registered "
                   "for your app; 0 = any free port).")
@click.option("--flow", type=click.Choice(["sisu", "title", "plain"]), default=None,
              help="How to sign in to Xbox Live after Microsoft: sisu (the Xbox app's way, "
                   "the default for its id), title (device + title token, Minecraft-style "
                   "ids), plain (user token + XSTS, for your own Azure app: the default for "
                   "GUID ids).")
@click.option("--no-browser", is_flag=True,
              help="Do not open a browser at the device code's link (only shown).")
@pass_state
def login(state: State, method: str, client_id: str | None, client_secret: str | None,
          scope: str | None, redirect_port: int, flow: str | None, no_browser: bool) -> None:
    """Sign in to Xbox Live and save the sign-in to the token store.

    With no option, shows a code to enter at https://www.microsoft.com/link: no Azure app,
    no browser on this machine, and accounts with two-step verification work. The sign-in
    then goes on as the Xbox app's does (a signed device token, then SISU), so every
    service, mediahub included, accepts it.
    """
    client = state.client(sign_in=False)
    if method == "password" and (client_id or client_secret or scope or flow):
        raise click.UsageError("--client-id, --client-secret, --scope and --flow need "
                               "--device-code or --browser (the password flow is the 2014 "
                               "library's)")
    if method == "password":
        # Prompts go to stderr so that `--json` output stays clean on stdout.
        email = os.environ.get("MS_LOGIN") or click.prompt("E-mail", err=True)
        password = os.environ.get("MS_PASSWD") or click.prompt("Password", hide_input=True, err=True)
        client.login_password(email, password)
    elif method == "browser":
        def open_browser(url: str) -> bool:
            # Always shown (even with -q): without it nobody can finish signing in.
            click.echo(f"Opening your browser to sign in; if it does not open, visit:\n  {url}",
                       err=True)
            return webbrowser.open(url)

        def paste(prompt: str) -> str:
            return str(click.prompt(prompt, err=True))

        client.login_browser(open_browser=open_browser, paste=paste, client_id=client_id,
                             client_secret=client_secret, scope=scope,
                             redirect_port=redirect_port, flow=flow)
    else:
        def on_code(code: DeviceCode) -> None:
            # Always shown (even with -q): without it nobody can finish signing in.
            click.echo(f"To sign in, open {code.verification_uri} and enter the code "
                       f"{code.user_code}", err=True)
            click.echo("Waiting for you to sign in... (Ctrl-C cancels)", err=True)
            if not no_browser and _can_open_browser():
                webbrowser.open(code.verification_uri)

        client.login_device_code(on_code=on_code, client_id=client_id, scope=scope, flow=flow)
    info = client.whoami(refresh=False)
    state.out.info(f"Signed in as {info.get('gamertag')} (xuid {info.get('xuid')}); "
                   f"saved as account '{info.get('account')}'.")
    _show_identity(state, info, verb="Signed in")


@cli.command()
@pass_state
def logout(state: State) -> None:
    """Forget the saved sign-in of the account (its token file is deleted)."""
    client = state.client(sign_in=False)
    forgot = client.logout()
    if state.out.json_mode:
        state.out.json({"account": state.account_name, "signed_out": forgot})
    elif forgot:
        state.out.line(f"Signed out of account '{state.account_name}'.")
    else:
        state.out.line(f"Account '{state.account_name}' was not signed in.")


@cli.command()
@pass_state
def whoami(state: State) -> None:
    """Show who is signed in: gamertag, xuid and when the tokens expire."""
    _show_identity(state, state.client().whoami(), verb="Signed in")
