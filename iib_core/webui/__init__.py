"""IIB inside an SD WebUI host (A1111 1.6-1.10, Forge, reForge, SD.Next).

`scripts/iib.py` (re-executed by the host on every "Reload UI") only registers the
callbacks of `extension`; everything with state lives in this package, which stays
cached in `sys.modules` across reloads, so there is one IIB instance, one database
and one background indexing thread per process whatever the number of reloads.

Modules:
  host       read the host's options, flags and folders (no gradio needed)
  lifecycle  the per-process instance: mount on each new app, stop on reload
  saved_hook on_image_saved: index new images off the generation thread
  tab        the gradio tab (iframe) and the hidden send-to components
  extension  the callbacks that scripts/iib.py registers
"""
