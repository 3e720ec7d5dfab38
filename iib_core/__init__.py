"""Infinite Image Browsing core package: index, search and serve AI-generated images."""

__version__ = "0.1.0"
