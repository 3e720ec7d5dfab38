"""Media kinds by extension, case-insensitive."""
from __future__ import annotations

import os
from typing import Optional

IMAGE_EXTENSIONS = frozenset(".jpg .jpeg .jpe .png .gif .bmp .webp .avif".split())
VIDEO_EXTENSIONS = frozenset(".mp4 .m4v .avi .mkv .mov .wmv .flv .ts .webm".split())
AUDIO_EXTENSIONS = frozenset(".mp3 .wav .ogg .flac .m4a .aac .wma".split())
MEDIA_EXTENSIONS = IMAGE_EXTENSIONS | VIDEO_EXTENSIONS | AUDIO_EXTENSIONS


def media_kind(path: str) -> Optional[str]:
    """"image", "video", "audio" or None."""
    ext = os.path.splitext(path)[1].lower()
    if ext in IMAGE_EXTENSIONS:
        return "image"
    if ext in VIDEO_EXTENSIONS:
        return "video"
    if ext in AUDIO_EXTENSIONS:
        return "audio"
    return None
