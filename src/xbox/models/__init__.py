"""Pydantic models of Xbox Live responses, one module per service."""

from .achievements import Achievement, Achievement360, TitleProgress, TitleProgress360
from .base import MalformedRecord, WireModel, XboxModel
from .captures import Capture, Clip, MediaUri, Screenshot, Thumbnail
from .people import PeopleSummary, Person
from .presence import Presence
from .profile import Profile, ProfileSetting
from .search import SearchResult, SearchUser
from .titles import Title

__all__ = [
    "Achievement",
    "Achievement360",
    "Capture",
    "Clip",
    "MalformedRecord",
    "MediaUri",
    "PeopleSummary",
    "Person",
    "Presence",
    "Profile",
    "ProfileSetting",
    "Screenshot",
    "SearchResult",
    "SearchUser",
    "Thumbnail",
    "Title",
    "TitleProgress",
    "TitleProgress360",
    "WireModel",
    "XboxModel",
]
