"""The client's resources, one module per service."""

from .achievements import AsyncAchievements
from .captures import AsyncClips, AsyncScreenshots
from .consoles import AsyncConsoles
from .messages import AsyncMessages
from .people import AsyncPeople
from .presence import AsyncPresence
from .profiles import AsyncProfiles
from .search import AsyncSearch
from .titles import AsyncTitles

__all__ = [
    "AsyncAchievements",
    "AsyncClips",
    "AsyncConsoles",
    "AsyncMessages",
    "AsyncPeople",
    "AsyncPresence",
    "AsyncProfiles",
    "AsyncScreenshots",
    "AsyncSearch",
    "AsyncTitles",
]
