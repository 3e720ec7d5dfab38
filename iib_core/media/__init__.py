"""Media delivery: file responses with Range and validators, thumbnails and their disk cache,
video covers (PyAV), zip archives and bulk pre-generation.

Nothing here checks whether a path may be touched: callers pass real paths that
`security.AccessPolicy` already allowed.
"""
from .errors import UnsupportedMedia
from .http import guess_media_type, parse_range
from .thumbnails import ThumbnailCache, parse_box
from .video import VideoCoverCache

__all__ = ["UnsupportedMedia", "guess_media_type", "parse_range", "ThumbnailCache", "parse_box",
           "VideoCoverCache"]
