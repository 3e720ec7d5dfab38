"""Media delivery: file responses with Range and validators, thumbnails and their disk cache,
video covers (PyAV), zip archives and bulk pre-generation.

Nothing here checks whether a path may be touched: callers pass real paths that
`security.AccessPolicy` already allowed.

The package imports nothing itself, so a light module such as `media.kinds` (used by the
indexer's workers) does not pull in Pillow and the HTTP helpers: import the module you need.
"""
