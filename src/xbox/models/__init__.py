"""Pydantic models of Xbox Live responses, one module per service."""

from .base import MalformedRecord, XboxModel
from .captures import Capture, Clip, MediaUri, Screenshot, Thumbnail
from .profile import Profile, ProfileSetting

__all__ = [
    "Capture",
    "Clip",
    "MalformedRecord",
    "MediaUri",
    "Profile",
    "ProfileSetting",
    "Screenshot",
    "Thumbnail",
    "XboxModel",
]
