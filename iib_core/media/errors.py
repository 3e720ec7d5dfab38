"""Errors specific to media delivery (mapped to HTTP by `api/errors.py` like every IIBError)."""
from __future__ import annotations

from ..errors import IIBError


class UnsupportedMedia(IIBError):
    """The file exists but cannot be decoded as the kind of media asked for (an image
    that Pillow cannot read, a video for the image thumbnailer, a broken video)."""

    status = 415


class InsufficientStorage(IIBError):
    """The cache folder's disk is full (an archive or cache entry could not be written)."""

    status = 507
