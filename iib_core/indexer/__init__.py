"""Indexing: the stat walk (`scan`), per-file extraction (`extract`), auto tags
(`tagging`) and the job that ties them together (`job`, with `writer`).

`IndexJob` and friends are imported on first use (PEP 562), so that a worker process,
which only needs `extract`, starts without importing the database layer.
"""
from .extract import ExtractOptions

_FROM_JOB = ("IndexJob", "IndexProgress", "IndexSummary")


def extract_options(settings) -> ExtractOptions:
    return ExtractOptions(stealth=settings.enable_stealth_parser,
                          comfyui_all_prompts=settings.comfyui_extract_all_prompts)


def __getattr__(name: str):
    if name in _FROM_JOB:
        from . import job

        return getattr(job, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ExtractOptions", "IndexJob", "IndexProgress", "IndexSummary", "extract_options"]
