"""peoplehub.xboxlive.com (contracts 3 and 7) people, and social.xboxlive.com summaries.

Peoplehub mixes casings: most keys are camelCase, but the objects inside
``multiplayerSummary``, ``suggestion``, ``recommendation``, ``titlePresence`` and
``presenceDetails`` are PascalCase (``InMultiplayerSession``); those models carry PascalCase
aliases. Contract 7 (the friend system since late 2024) adds ``isFriend`` and the friend
request flags, ten friend keys in ``detail``, and sends ``multiplayerSummary`` in camelCase:
both casings read the same.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import AliasChoices, ConfigDict, Field
from pydantic.alias_generators import to_pascal

from .base import WireDateTime, WireModel, XboxModel

__all__ = [
    "MultiplayerSummary",
    "PeopleSummary",
    "Person",
    "PersonDetail",
    "PersonPresenceDetail",
    "PersonRecommendation",
    "PersonSuggestion",
    "PreferredColor",
    "TitlePresence",
]


class _PascalModel(WireModel):
    # Snake_case attributes over PascalCase keys: in_party <- "InParty".
    model_config = ConfigDict(alias_generator=to_pascal)


class MultiplayerSummary(_PascalModel):
    # PascalCase on contract 3, camelCase on contract 7.
    in_multiplayer_session: int | None = Field(
        None, validation_alias=AliasChoices("InMultiplayerSession", "inMultiplayerSession"))
    in_party: int | None = Field(None, validation_alias=AliasChoices("InParty", "inParty"))


class PersonSuggestion(_PascalModel):
    type: str | None = None
    priority: int | None = None
    reasons: Any = None
    title_id: str | None = None


class PersonRecommendation(_PascalModel):
    """Why peoplehub suggests someone (``FriendOfFriend``, ``Follower``...)."""

    type: str | None = None
    reasons: list[str] = Field(default_factory=list)


class TitlePresence(_PascalModel):
    is_currently_playing: bool | None = None
    presence_text: str | None = None
    title_name: str | None = None
    title_id: str | None = None


class PersonPresenceDetail(_PascalModel):
    is_broadcasting: bool | None = None
    device: str | None = None
    presence_text: str | None = None
    state: str | None = None
    title_id: str | None = None
    title_type: str | None = None
    is_primary: bool | None = None
    is_game: bool | None = None
    rich_presence_text: str | None = None


class PreferredColor(WireModel):
    primary_color: str | None = None
    secondary_color: str | None = None
    tertiary_color: str | None = None


class PersonDetail(WireModel):
    account_tier: str | None = None
    bio: str | None = None
    is_verified: bool | None = None
    location: str | None = None
    tenure: str | None = None
    watermarks: list[str] = Field(default_factory=list)
    blocked: bool | None = None
    mute: bool | None = None
    follower_count: int | None = None
    following_count: int | None = None
    has_game_pass: bool | None = None
    # contract 7: the friend system
    is_friend: bool | None = None
    can_be_friended: bool | None = None
    can_be_followed: bool | None = None
    friend_count: int | None = None
    is_friend_request_received: bool | None = None
    is_friend_request_sent: bool | None = None
    is_friend_list_shared: bool | None = None
    is_following_caller: bool | None = None
    is_followed_by_caller: bool | None = None
    is_favorite: bool | None = None


class Person(XboxModel):
    """One person as peoplehub describes them to the caller. ``xuid`` is the identity;
    the decorated blocks (``preferred_color``, ``detail``, ``multiplayer_summary``,
    ``presence_details``...: one per decoration) are None unless asked for. ``is_friend``
    and the friend request flags come on contract 7 only (None on contract 3)."""

    repr_fields: ClassVar[tuple[tuple[str, str], ...]] = (("xuid", "xuid"), ("gamertag", "gamertag"))

    xuid: str
    is_favorite: bool | None = None
    is_following_caller: bool | None = None
    is_followed_by_caller: bool | None = None
    is_identity_shared: bool | None = None
    added_date_time_utc: WireDateTime | None = None
    display_name: str | None = None
    real_name: str | None = None
    display_pic_raw: str | None = None
    show_user_as_avatar: str | None = None
    gamertag: str | None = None
    gamer_score: str | None = None
    modern_gamertag: str | None = None
    modern_gamertag_suffix: str | None = None
    unique_modern_gamertag: str | None = None
    xbox_one_rep: str | None = None
    presence_state: str | None = None
    presence_text: str | None = None
    presence_devices: Any = None
    is_friend: bool | None = None
    is_friend_request_received: bool | None = None
    is_friend_request_sent: bool | None = None
    is_broadcasting: bool | None = None
    is_cloaked: bool | None = None
    is_quarantined: bool | None = None
    is_xbox360_gamerpic: bool | None = None
    last_seen_date_time_utc: WireDateTime | None = None
    suggestion: PersonSuggestion | None = None
    recommendation: PersonRecommendation | None = None
    search: Any = None
    title_history: Any = None
    multiplayer_summary: MultiplayerSummary | None = None
    recent_player: Any = None
    follower: Any = None
    preferred_color: PreferredColor | None = None
    presence_details: list[PersonPresenceDetail] | None = None
    title_presence: TitlePresence | None = None
    title_summaries: list[Any] | None = None
    presence_title_ids: list[str] | None = None
    detail: PersonDetail | None = None
    community_manager_titles: list[Any] | None = None
    social_manager: Any = None
    broadcast: list[Any] | None = None
    tournament_summary: Any = None
    avatar: Any = None
    linked_accounts: list[Any] | None = None
    color_theme: str | None = None
    preferred_flag: str | None = None
    preferred_platforms: list[Any] = Field(default_factory=list)

    @property
    def gamerscore(self) -> int | None:
        """``gamerScore`` (a string on the wire) as an int."""
        try:
            return int(self.gamer_score) if self.gamer_score is not None else None
        except ValueError:
            return None

    @property
    def online(self) -> bool:
        return (self.presence_state or "").lower() == "online"

    @property
    def friend(self) -> bool | None:
        """Whether you and they are friends (they follow each other): contract 7's
        ``isFriend``; None on contract 3, which does not say."""
        return self.is_friend if self.is_friend is not None else (
            self.detail.is_friend if self.detail is not None else None)


class PeopleSummary(XboxModel):
    """social.xboxlive.com ``/summary``: follow counts and the caller's relation to the user.
    The last three fields come only for the signed-in user; ``is_friend`` only on contract 2
    (the one this library asks for)."""

    is_friend: bool | None = None
    target_following_count: int | None = None
    target_follower_count: int | None = None
    is_caller_following_target: bool | None = None
    is_target_following_caller: bool | None = None
    has_caller_marked_target_as_favorite: bool | None = None
    has_caller_marked_target_as_identity_shared: bool | None = None
    legacy_friend_status: str | None = None
    available_people_slots: int | None = None
    recent_change_count: int | None = None
    watermark: str | None = None
