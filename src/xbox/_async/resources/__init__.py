"""The client's resources, one module per service."""

from .account import AsyncAccount
from .achievements import AsyncAchievements
from .captures import AsyncClips, AsyncScreenshots
from .catalog import AsyncCatalog
from .consoles import AsyncConsoles
from .cqs import AsyncCqs
from .lists import AsyncLists
from .messages import AsyncMessages
from .people import AsyncPeople
from .presence import AsyncPresence
from .profiles import AsyncProfiles
from .search import AsyncSearch
from .stats import AsyncStats
from .titles import AsyncTitles

__all__ = [
    "AsyncAccount",
    "AsyncAchievements",
    "AsyncCatalog",
    "AsyncClips",
    "AsyncConsoles",
    "AsyncCqs",
    "AsyncLists",
    "AsyncMessages",
    "AsyncPeople",
    "AsyncPresence",
    "AsyncProfiles",
    "AsyncScreenshots",
    "AsyncSearch",
    "AsyncStats",
    "AsyncTitles",
]
