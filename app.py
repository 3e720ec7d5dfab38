#!/usr/bin/env python3
"""Infinite Image Browsing, standalone: `python app.py --extra_paths DIR [--update_image_index]`.

Library use: `from app import launch_app, AppUtils, async_launch_app`.
"""
import sys

from iib_core.cli import main
from iib_core.server import AppUtils, async_launch_app, launch_app

__all__ = ["AppUtils", "async_launch_app", "launch_app", "main"]

if __name__ == "__main__":
    sys.exit(main())
