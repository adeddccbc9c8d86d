"""Pydantic models of Xbox Live responses, one module per service."""

from .achievements import Achievement, Achievement360, TitleProgress, TitleProgress360
from .base import MalformedRecord, WireModel, XboxModel
from .captures import (
    Capture,
    Clip,
    ContentLocator,
    Locator,
    MediahubClip,
    MediahubScreenshot,
    MediaUri,
    Screenshot,
    Thumbnail,
)
from .enums import CaptureState, CaptureType, LocatorType, ThumbnailType, UriType
from .people import PeopleSummary, Person
from .presence import Presence
from .profile import Profile, ProfileSetting
from .search import SearchResult, SearchUser
from .titles import Title

__all__ = [
    "Achievement",
    "Achievement360",
    "Capture",
    "CaptureState",
    "CaptureType",
    "Clip",
    "ContentLocator",
    "Locator",
    "LocatorType",
    "MalformedRecord",
    "MediaUri",
    "MediahubClip",
    "MediahubScreenshot",
    "PeopleSummary",
    "Person",
    "Presence",
    "Profile",
    "ProfileSetting",
    "Screenshot",
    "SearchResult",
    "SearchUser",
    "Thumbnail",
    "ThumbnailType",
    "Title",
    "TitleProgress",
    "TitleProgress360",
    "UriType",
    "WireModel",
    "XboxModel",
]
