#!/usr/bin/env python3
"""Infinite Image Browsing, standalone: `python app.py --extra_paths DIR [--update_image_index]`."""
import sys

from iib_core.cli import main

if __name__ == "__main__":
    sys.exit(main())
