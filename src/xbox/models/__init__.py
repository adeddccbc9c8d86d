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
from .consoles import (
    CommandResult,
    Console,
    ConsoleStatus,
    InstalledApp,
    OperationStatus,
    StorageDevice,
)
from .enums import CaptureState, CaptureType, LocatorType, ThumbnailType, UriType
from .messages import Conversation, Message, SentMessage
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
    "CommandResult",
    "Console",
    "ConsoleStatus",
    "ContentLocator",
    "Conversation",
    "InstalledApp",
    "Locator",
    "LocatorType",
    "MalformedRecord",
    "MediaUri",
    "MediahubClip",
    "MediahubScreenshot",
    "Message",
    "OperationStatus",
    "PeopleSummary",
    "Person",
    "Presence",
    "Profile",
    "ProfileSetting",
    "Screenshot",
    "SearchResult",
    "SearchUser",
    "SentMessage",
    "StorageDevice",
    "Thumbnail",
    "ThumbnailType",
    "Title",
    "TitleProgress",
    "TitleProgress360",
    "UriType",
    "WireModel",
    "XboxModel",
]
