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
from .catalog import Product, SearchProduct
from .consoles import (
    CommandResult,
    Console,
    ConsoleStatus,
    InstalledApp,
    OperationStatus,
    StorageDevice,
)
from .cqs import Channel, ChannelSchedule, TvProgram
from .enums import CaptureState, CaptureType, LocatorType, ThumbnailType, UriType
from .lists import ListEntry, ListMetadata, PinList, PinnedItem
from .messages import Conversation, Message, SentMessage
from .people import PeopleSummary, Person
from .presence import Presence
from .profile import Profile, ProfileSetting
from .search import SearchResult, SearchUser
from .titles import Title, TitleDetail
from .userstats import Stat

__all__ = [
    "Achievement",
    "Achievement360",
    "Capture",
    "CaptureState",
    "CaptureType",
    "Channel",
    "ChannelSchedule",
    "Clip",
    "CommandResult",
    "Console",
    "ConsoleStatus",
    "ContentLocator",
    "Conversation",
    "InstalledApp",
    "ListEntry",
    "ListMetadata",
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
    "PinList",
    "PinnedItem",
    "Presence",
    "Product",
    "Profile",
    "ProfileSetting",
    "Screenshot",
    "SearchProduct",
    "SearchResult",
    "SearchUser",
    "SentMessage",
    "Stat",
    "StorageDevice",
    "Thumbnail",
    "ThumbnailType",
    "Title",
    "TitleDetail",
    "TitleProgress",
    "TitleProgress360",
    "TvProgram",
    "UriType",
    "WireModel",
    "XboxModel",
]
