"""The python-xbox API exactly as documented, against the sandbox (in-process and served)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

import xbox
from xbox.exceptions import (
    AuthenticationException,
    ClipNotFound,
    GamertagNotFound,
    InvalidRequest,
    NotFoundException,
    XboxException,
)
from xbox.sandbox import JOE_XUID, Fault, Sandbox


@pytest.fixture
def seed_client(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[xbox.Client]:
    """Point the global ``xbox.client`` at the in-process sandbox, as a user's test would."""
    client = xbox.Client(base_url=sandbox.base_url, transport=sandbox.transport())
    monkeypatch.setattr(xbox, "client", client)
    yield client
    client.close()


def test_global_client_is_a_client_and_starts_unauthenticated() -> None:
    assert isinstance(xbox.client, xbox.Client)
    assert xbox.client.authenticated is False
    assert repr(xbox.Client(token_store=None)) == "<xbox.Client: Unauthenticated>"


def test_authenticate_returns_the_client(seed_client: xbox.Client) -> None:
    assert seed_client.authenticate("joe@example.org", "hunter2") is seed_client
    assert seed_client.authenticated is True
    assert repr(seed_client) == "<xbox.Client: joe@example.org>"


def test_quickstart(seed_client: xbox.Client) -> None:
    xbox.client.authenticate("joe@example.org", "hunter2")
    gt = xbox.GamerProfile.from_gamertag("JoeAlcorn")
    assert gt.gamertag == "JoeAlcorn"
    assert gt.xuid == JOE_XUID
    assert gt.gamerscore == "22791"  # the string the profile service sends
    assert gt.gamerpic.startswith("http://images-eds.xboxlive.com/image?url=z951ykn43p4FqWbb")
    assert gt.raw_json["id"] == JOE_XUID


def test_wrong_password_raises_authentication_exception(seed_client: xbox.Client) -> None:
    with pytest.raises(AuthenticationException) as info:
        seed_client.authenticate("joe@example.org", "wrong")
    assert "Could not log in with supplied credentials" in str(info.value)
    assert "wrong" not in str(info.value)
    assert seed_client.authenticated is False


def test_missing_credentials_fail_before_any_request(seed_client: xbox.Client, sandbox: Sandbox) -> None:
    with pytest.raises(AuthenticationException, match="MS_LOGIN"):
        seed_client.authenticate()
    assert len(sandbox.requests) == 0


def test_environment_credentials_are_used(seed_client: xbox.Client,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MS_LOGIN", "joe@example.org")
    monkeypatch.setenv("MS_PASSWD", "hunter2")
    assert seed_client.authenticate().authenticated


def test_automatic_sign_in_on_first_call(seed_client: xbox.Client,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MS_LOGIN", "joe@example.org")
    monkeypatch.setenv("MS_PASSWD", "hunter2")
    assert not seed_client.authenticated
    assert xbox.GamerProfile.from_xuid(JOE_XUID).gamertag == "JoeAlcorn"
    assert seed_client.authenticated


def test_calls_without_credentials_raise_authentication_exception(seed_client: xbox.Client) -> None:
    with pytest.raises(AuthenticationException):
        xbox.GamerProfile.from_gamertag("JoeAlcorn")


def test_gamertag_lookup_is_case_insensitive(seed_client: xbox.Client) -> None:
    seed_client.authenticate("joe@example.org", "hunter2")
    assert xbox.GamerProfile.from_gamertag("joealcorn").gamertag == "JoeAlcorn"


def test_unknown_gamertag_and_xuid_raise_gamertag_not_found(seed_client: xbox.Client) -> None:
    seed_client.authenticate("joe@example.org", "hunter2")
    with pytest.raises(GamertagNotFound, match="No such user: NobodyAtAll"):
        xbox.GamerProfile.from_gamertag("NobodyAtAll")
    with pytest.raises(GamertagNotFound) as info:
        xbox.GamerProfile.from_xuid("2533274800000001")  # well-formed, nobody: 404
    assert info.value.status_code == 404
    with pytest.raises(NotFoundException):
        xbox.GamerProfile.from_xuid("0000000000000000")


def test_invalid_xuid_400_becomes_gamertag_not_found(seed_client: xbox.Client, sandbox: Sandbox) -> None:
    seed_client.authenticate("joe@example.org", "hunter2")
    # Xbox Live calls some well-formed xuids invalid (400 code 2), as the 2014 recordings show.
    sandbox.faults.append(Fault(status=400, host="profile.xboxlive.com", body={
        "code": 2, "source": "Profile", "description": "Xuid 2533274800000001 is invalid",
        "traceInformation": None}))
    with pytest.raises(GamertagNotFound, match="No such user: 2533274800000001") as info:
        xbox.GamerProfile.from_xuid("2533274800000001")
    assert info.value.status_code == 400
    # Numbers that cannot be an xuid (0, 2**64 and above) are refused before any request.
    before = len(sandbox.requests)
    for bad in ("0", "18446744073709551616", "abc"):
        with pytest.raises(GamertagNotFound):
            xbox.GamerProfile.from_xuid(bad)
    assert len(sandbox.requests) == before


def test_400_elsewhere_is_invalid_request_with_message_and_response(seed_client: xbox.Client) -> None:
    seed_client.authenticate("joe@example.org", "hunter2")
    with pytest.raises(InvalidRequest) as info:
        seed_client.request("GET", "profile.xboxlive.com",
                            "/users/xuid(0000000000000000)/profile/settings",
                            contract_version=2, params={"settings": "Gamertag"})
    err = info.value
    assert err.message == "Xuid 0 is invalid"
    assert isinstance(err.response, httpx.Response) and err.response.status_code == 400
    assert "Xuid 0 is invalid" in str(err)
    assert isinstance(err, XboxException)


def test_clips_iterate_every_page_and_skip_pending(seed_client: xbox.Client, sandbox: Sandbox) -> None:
    seed_client.authenticate("joe@example.org", "hunter2")
    gt = xbox.GamerProfile.from_gamertag("JoeAlcorn")
    clips = list(gt.clips())
    joe = sandbox.world.joe
    published = [c for c in joe.clips if c.state != "PendingUpload"]
    assert len(joe.clips) > 100  # more than one page
    assert [c.clip_id for c in clips] == [c.id for c in published]
    with_pending = list(xbox.Clip.latest_from_user(gt, include_pending=True))
    assert len(with_pending) == len(joe.clips)
    pending = [c for c in with_pending if c.state == "PendingUpload"]
    assert pending and all(c.media_url is None and c.thumbnails.small is None for c in pending)


def test_clip_attributes_have_the_wire_types(seed_client: xbox.Client) -> None:
    seed_client.authenticate("joe@example.org", "hunter2")
    gt = xbox.GamerProfile.from_gamertag("JoeAlcorn")
    clip = next(gt.clips())
    assert clip.user is gt
    assert isinstance(clip.clip_id, str) and isinstance(clip.scid, str)
    assert isinstance(clip.duration, int) and isinstance(clip.views, int)
    assert isinstance(clip.ratings, int) and isinstance(clip.rating, float)
    assert isinstance(clip.saved, bool) and clip.state == "Published"
    assert isinstance(clip.name, str) and isinstance(clip.caption, str)
    assert isinstance(clip.recorded, datetime) and clip.recorded.tzinfo == UTC
    assert clip.media_url is not None and clip.media_url.startswith("https://gameclipscontent-d")
    assert clip.thumbnails.small and clip.thumbnails.large
    assert clip.thumbnails["small"] == clip.thumbnails.small
    assert isinstance(clip.thumbnails, dict) and set(clip.thumbnails) == {"small", "large"}
    assert "small" in clip.thumbnails and dict(clip.thumbnails)["large"] == clip.thumbnails.large
    assert clip.raw_json["gameClipId"] == clip.clip_id


def test_saved_clips_are_only_saved_ones(seed_client: xbox.Client, sandbox: Sandbox) -> None:
    seed_client.authenticate("joe@example.org", "hunter2")
    gt = xbox.GamerProfile.from_gamertag("JoeAlcorn")
    saved = list(xbox.Clip.saved_from_user(gt, include_pending=True))
    assert saved and all(c.saved for c in saved)
    assert len(saved) == sum(c.saved for c in sandbox.world.joe.clips)


def test_clip_get_fetches_the_user_lazily(seed_client: xbox.Client, sandbox: Sandbox) -> None:
    seed_client.authenticate("joe@example.org", "hunter2")
    target = sandbox.world.joe.clips[5]
    before = len(sandbox.requests)
    clip = xbox.Clip.get(JOE_XUID, target.title.scid, target.id)
    assert clip.clip_id == target.id
    assert clip.user.xuid == JOE_XUID
    profile_calls = [r for r in sandbox.requests[before:] if "profile.xboxlive.com" in str(r.url)]
    assert profile_calls == []
    assert clip.user.gamertag == "JoeAlcorn"
    assert any("profile.xboxlive.com" in str(r.url) for r in sandbox.requests[before:])


def test_clip_get_with_wrong_ids_raises_clip_not_found(seed_client: xbox.Client, sandbox: Sandbox) -> None:
    seed_client.authenticate("joe@example.org", "hunter2")
    target = sandbox.world.joe.clips[0]
    with pytest.raises(ClipNotFound, match="Could not find clip"):
        xbox.Clip.get(JOE_XUID, target.title.scid, "00000000-0000-4000-8000-000000000000")
    with pytest.raises(ClipNotFound):
        xbox.Clip.get("2533274800000001", target.title.scid, target.id)
    # A wrong but UUID-shaped scid still finds the clip, as the real service does.
    found = xbox.Clip.get(JOE_XUID, "00000000-0000-4000-8000-000000000000", target.id)
    assert found.scid == target.title.scid


def test_every_exception_has_a_message() -> None:
    for cls in (XboxException, AuthenticationException, NotFoundException, GamertagNotFound,
                ClipNotFound):
        assert str(cls())
    err = InvalidRequest("bad thing", None)
    assert err.message == "bad thing" and err.response is None and str(err) == "bad thing"


def test_seed_api_over_http_with_the_environment_mapping(served: object,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    base_url = served.base_url  # type: ignore[attr-defined]
    assert base_url.startswith("http://127.0.0.1:")
    monkeypatch.setenv("XBOX_LIVE_BASE_URL", base_url)
    client = xbox.Client()
    monkeypatch.setattr(xbox, "client", client)
    try:
        xbox.client.authenticate("joe@example.org", "hunter2")
        gt = xbox.GamerProfile.from_gamertag("JoeAlcorn")
        clips = list(gt.clips())
        assert len(clips) > 100
        # Users see the real URLs; only fetching goes through the mapping.
        assert clips[0].media_url.startswith("https://gameclipscontent-d")
        sandbox = served.sandbox  # type: ignore[attr-defined]
        hosts = {r.url.path.split("/")[1] for r in sandbox.requests}
        assert {"login.live.com", "user.auth.xboxlive.com", "xsts.auth.xboxlive.com",
                "profile.xboxlive.com", "gameclipsmetadata.xboxlive.com"} <= hosts
        # The form post went to the urlPost learned from the page, mapped.
        assert any(r.method == "POST" and "/login.live.com/ppsecure/post.srf" in str(r.url)
                   for r in sandbox.requests)
    finally:
        client.close()


def test_legacy_flow_on_the_real_hosts_sends_the_login_page_cookies(sandbox: Sandbox) -> None:
    """With no base URL the client talks to https://login.live.com itself; the sign-in form
    post must carry the MSPRequ/MSPOK cookies the page set, as the 2014 requests.Session did.
    A transport stands in for the internet by answering real URLs from the sandbox."""

    def internet(request: httpx.Request) -> httpx.Response:
        url = request.url
        mapped = httpx.Request(request.method,
                               f"{sandbox.base_url}/{url.host}{url.raw_path.decode()}",
                               headers=request.headers, content=request.content)
        return sandbox.handle(mapped)

    client = xbox.Client(transport=httpx.MockTransport(internet), token_store=None)
    client.authenticate("joe@example.org", "hunter2")
    page, post = sandbox.requests[0], sandbox.requests[1]
    assert page.method == "GET" and "/login.live.com/oauth20_authorize.srf?" in str(page.url)
    # The authorize query goes out un-percent-encoded, as the server wants it.
    assert "redirect_uri=https://login.live.com/oauth20_desktop.srf" in str(page.url)
    assert post.method == "POST" and "/login.live.com/ppsecure/post.srf" in str(post.url)
    cookie = post.headers.get("cookie", "")
    assert "MSPRequ=" in cookie and "MSPOK=" in cookie
    # Tokens never travel to other hosts: the API calls went to Xbox Live hosts only.
    assert all(r.url.path.split("/")[1].endswith((".live.com", ".xboxlive.com"))
               for r in sandbox.requests)
    client.close()
