"""The client's resources, one module per service."""

from .achievements import AsyncAchievements
from .captures import AsyncClips, AsyncScreenshots
from .people import AsyncPeople
from .presence import AsyncPresence
from .profiles import AsyncProfiles
from .search import AsyncSearch
from .titles import AsyncTitles

__all__ = [
    "AsyncAchievements",
    "AsyncClips",
    "AsyncPeople",
    "AsyncPresence",
    "AsyncProfiles",
    "AsyncScreenshots",
    "AsyncSearch",
    "AsyncTitles",
]
