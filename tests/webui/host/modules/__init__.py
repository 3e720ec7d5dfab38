"""A minimal SD WebUI host of our own, for CI (docs/contributing.md, CI).

It implements exactly the contract the extension relies on (loading, callbacks,
options, flags, paste bindings, install helpers) around REAL gradio, with the same
names as AUTOMATIC1111/Forge. It is not a copy of any host: just enough to load
scripts/iib.py the way a host does and drive it in Chromium.
"""
