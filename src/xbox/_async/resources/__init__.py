"""The client's resources, one module per service."""

from .captures import AsyncClips, AsyncScreenshots
from .profiles import AsyncProfiles

__all__ = ["AsyncClips", "AsyncProfiles", "AsyncScreenshots"]
