"""The client (application) ids the sandbox's sign-in services know, and what each may do.

login.live.com only serves the flows and redirect URIs an application is registered for,
and title authentication and SISU only work for the ids Microsoft set up for them. This is
the one table of those registrations; every sign-in route reads it.

=====================  ==========================================  ==================================
client id              flows                                       redirect URIs (title id)
=====================  ==========================================  ==================================
``0000000048093EE3``   password (implicit token)                   ``oauth20_desktop.srf``
``000000004C12AE6F``   password, code, device code, SISU           ``oauth20_desktop.srf``,
                                                                   ``ms-xal-000000004c12ae6f://auth``
                                                                   (328178078)
``000000004415494B``   code, SISU (Xbox beta app)                  ``ms-xal-000000004415494b://auth``
                                                                   (177887386)
``000000004C20A908``   code, device code, SISU (Game Pass, and     ``ms-xal-000000004c20a908://auth``,
                       its beta's redirect)                        ``ms-xal-public-beta-…://auth``
                                                                   (1016898439)
``00000000482C8F49``   code, SISU (Family Settings)                ``oauth20_desktop.srf`` (1618633878)
``00000000441CC96B``   device code, title auth                     ``oauth20_desktop.srf`` (2047319603)
``00000000402B5328``   device code, SISU                           ``oauth20_desktop.srf`` (1794566092*)
``0000000048183522``   device code, SISU                           ``oauth20_desktop.srf``,
                                                                   ``ms-xal-0000000048183522://auth``
                                                                   (1739947436)
``388ea51c-…23905``    code (xbox-webapi-python's own Azure app)   loopback ``http://``, ``https://``
any other GUID         code, device code (a user's own Azure app)  loopback ``http://``, ``https://``
=====================  ==========================================  ==================================

Sources: the 2014 library and xbox-webapi 1.x (0000000048093EE3, password flow); XboxReplay
xboxlive-auth (000000004C12AE6F with the password flow), xbox-webapi-python ``xal.py`` and
python-xbox's copy (the five XAL app identities: Xbox app, Xbox beta app, Game Pass, Game
Pass beta, Family Settings, with their title ids and redirects), xal-rs ``app_params`` (xal-rs
also uses the desktop redirect with the Xbox app id), prismarine-auth and RaphiMC
MinecraftAuth (Minecraft ids, device code, title authentication; prismarine-auth's
``Titles.XboxGamepassIOS`` signs in by device code), a Bedrock relay
(``DEVICE_ANDROID = 0000000048183522`` goes through SISU, only the Nintendo id fetches title
tokens directly) and Minecraft servers' title-id tables (1739947436 Android, 2047319603
Nintendo). The Minecraft Java id: title authentication answers ``403 {}`` while SISU grants
tokens (prismarine-auth #54, #140, #182). xbox-webapi-python's own Azure app
(``388ea51c-0b25-4029-aae2-17df49d23905``, its scripts' default, a web redirect on
``localhost:8080``) is not a public client, so no device code (Microsoft answers such apps
AADSTS70002 "The client application must be marked as 'mobile.'"). * No public source gives
the Java launcher's title id: 1794566092 is the sandbox's own choice. Which flows each id
does *not* allow is an assumption: the table allows what peers are seen doing and refuses
the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = [
    "CLIENTS",
    "CODE",
    "DESKTOP_REDIRECT",
    "DEVICE_CODE",
    "OPENXBOX_AZURE_APP",
    "PASSWORD",
    "SISU",
    "TITLE_AUTH",
    "ClientApp",
    "lookup",
]

PASSWORD = "password"  # response_type=token: the 2014 page scrape (implicit grant)
CODE = "code"  # response_type=code in a browser, redeemed at oauth20_token.srf
DEVICE_CODE = "device_code"  # oauth20_connect.srf + polling
SISU = "sisu"  # sisu.xboxlive.com authenticate/authorize
TITLE_AUTH = "title_auth"  # title.auth.xboxlive.com with the MSA ticket of this id

DESKTOP_REDIRECT = "https://login.live.com/oauth20_desktop.srf"
#: xbox-webapi-python's (and python-xbox's) default Azure app: a web app, not a public client.
OPENXBOX_AZURE_APP = "388ea51c-0b25-4029-aae2-17df49d23905"
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


@dataclass(frozen=True)
class ClientApp:
    """One registered application.

    Attributes:
        client_id: the id as Microsoft writes it (16 hex digits, or a GUID).
        name: what the application is.
        flows: the sign-in flows it may use (``PASSWORD``, ``CODE``, ...).
        redirect_uris: the exact redirect URIs registered for it.
        title_id: the Xbox title its title tokens name (``xti.tid``), for SISU / title auth.
        azure: a user's own Azure app: the sandbox cannot know its registration, so any
            loopback ``http://`` or any ``https://`` redirect is taken as registered.
    """

    client_id: str
    name: str
    flows: frozenset[str]
    redirect_uris: tuple[str, ...] = (DESKTOP_REDIRECT,)
    title_id: str = ""
    azure: bool = False

    def allows(self, flow: str) -> bool:
        return flow in self.flows

    def redirect_allowed(self, uri: str) -> bool:
        """Whether login.live.com would send this application's answer to ``uri``."""
        if not self.azure:
            return uri in self.redirect_uris
        parts = urlsplit(uri)
        if parts.scheme == "https" and parts.hostname:
            return True
        return parts.scheme == "http" and (parts.hostname or "") in _LOOPBACK_HOSTS


def _app(client_id: str, name: str, flows: set[str], redirects: tuple[str, ...] = (),
         title_id: str = "") -> ClientApp:
    return ClientApp(client_id, name, frozenset(flows), redirects or (DESKTOP_REDIRECT,),
                     title_id)


CLIENTS: dict[str, ClientApp] = {app.client_id.lower(): app for app in (
    _app("0000000048093EE3", "Xbox app (2014) / python-xbox", {PASSWORD}),
    _app("000000004C12AE6F", "Xbox app", {PASSWORD, CODE, DEVICE_CODE, SISU},
         (DESKTOP_REDIRECT, "ms-xal-000000004c12ae6f://auth"), "328178078"),
    _app("000000004415494B", "Xbox beta app", {CODE, SISU},
         ("ms-xal-000000004415494b://auth",), "177887386"),
    _app("000000004C20A908", "Xbox Game Pass app", {CODE, DEVICE_CODE, SISU},
         ("ms-xal-000000004c20a908://auth", "ms-xal-public-beta-000000004c20a908://auth"),
         "1016898439"),
    _app("00000000482C8F49", "Xbox Family Settings app", {CODE, SISU}, title_id="1618633878"),
    _app("00000000441CC96B", "Minecraft for Nintendo Switch", {DEVICE_CODE, TITLE_AUTH},
         title_id="2047319603"),
    _app("00000000402B5328", "Minecraft Launcher (Java)", {DEVICE_CODE, SISU},
         title_id="1794566092"),
    _app("0000000048183522", "Minecraft for Android", {DEVICE_CODE, SISU},
         (DESKTOP_REDIRECT, "ms-xal-0000000048183522://auth"), "1739947436"),
    ClientApp(OPENXBOX_AZURE_APP, "xbox-webapi-python's Azure app", frozenset({CODE}), (),
              azure=True),
)}


def lookup(client_id: str) -> ClientApp | None:
    """The application ``client_id`` names (any case), or None when Microsoft knows no such
    consumer app. Every GUID is taken for a user's own Azure app."""
    key = client_id.strip().lower()
    if key in CLIENTS:
        return CLIENTS[key]
    if _GUID.fullmatch(key):
        return ClientApp(client_id, "Azure app", frozenset({CODE, DEVICE_CODE}), (), azure=True)
    return None
