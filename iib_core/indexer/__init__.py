"""Indexing: the stat walk (`scan`), per-file extraction (`extract`), auto tags
(`tagging`) and the job that ties them together (`job`)."""
from .extract import ExtractOptions
from .job import IndexJob, IndexProgress, IndexSummary


def extract_options(settings) -> ExtractOptions:
    return ExtractOptions(stealth=settings.enable_stealth_parser,
                          comfyui_all_prompts=settings.comfyui_extract_all_prompts)


__all__ = ["ExtractOptions", "IndexJob", "IndexProgress", "IndexSummary", "extract_options"]
