"""Bulk pre-generation of thumbnails and video covers (CLI `--generate_image_cache`,
`--generate_video_cover`).

The entries land exactly where the HTTP routes look for them (same cache classes, same
keys from the real path and the file's state), so a browser never waits for them later.
Work runs on a thread pool: Pillow and FFmpeg release the GIL while decoding and
encoding, so threads use every core without the start-up cost of processes. The
progress callback is called from the calling thread only.
"""
from __future__ import annotations

import os
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from ..security.paths import is_below_lexically
from .errors import UnsupportedMedia
from .kinds import media_kind
from .thumbnails import ThumbnailCache
from .video import VideoCoverCache

# progress(done, total, path): called after each file
ProgressCallback = Callable[[int, int, str], None]
MAX_ERRORS_KEPT = 100


@dataclass
class PregenerateReport:
    total: int = 0
    generated: int = 0
    cached: int = 0  # already in the cache
    original: int = 0  # small originals, served as they are: nothing to store
    failed: int = 0
    cancelled: bool = False
    seconds: float = 0.0
    errors: List[Tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> Dict[str, object]:
        return {"total": self.total, "generated": self.generated, "cached": self.cached,
                "original": self.original, "failed": self.failed, "cancelled": self.cancelled,
                "seconds": round(self.seconds, 3), "errors": [list(e) for e in self.errors]}


def find_media(roots: Iterable[str], kind: str, exclude_names: Sequence[str] = ()) -> List[str]:
    """Real paths of the `kind` ("image" or "video") files under `roots`, sorted, without
    repeats. Hidden and excluded folders are skipped, symlinked folders are not followed,
    and a symlinked file counts only when its target lies inside one of the roots."""
    real_roots = []
    for root in roots:
        real = os.path.realpath(root)
        if os.path.isdir(real) and real not in real_roots:
            real_roots.append(real)
    skip = set(exclude_names)
    found = set()
    for root in real_roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in skip]
            for name in filenames:
                if media_kind(name) != kind:
                    continue
                real = os.path.realpath(os.path.join(dirpath, name))
                if any(is_below_lexically(real, r) for r in real_roots) and os.path.isfile(real):
                    found.add(real)
    return sorted(found)


def _run(paths: List[str], work: Callable[[str], str], workers: int, progress: Optional[ProgressCallback],
         should_stop: Optional[Callable[[], bool]]) -> PregenerateReport:
    report = PregenerateReport(total=len(paths))
    started = time.monotonic()
    workers = workers or os.cpu_count() or 1
    todo: Iterator[str] = iter(paths)
    done = 0
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="iib-pregen") as pool:
        running: Dict[Future, str] = {}

        def submit_more() -> None:
            while len(running) < workers * 2:
                path = next(todo, None)
                if path is None:
                    return
                running[pool.submit(work, path)] = path

        submit_more()
        while running:
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for future in finished:
                path = running.pop(future)
                try:
                    outcome = future.result()
                    if outcome == "generated":
                        report.generated += 1
                    elif outcome == "original":
                        report.original += 1
                    else:
                        report.cached += 1
                except (UnsupportedMedia, OSError) as exc:
                    report.failed += 1
                    if len(report.errors) < MAX_ERRORS_KEPT:
                        detail = getattr(exc, "detail", None) or str(exc)
                        report.errors.append((path, str(detail)))
                done += 1
                if progress is not None:
                    progress(done, report.total, path)
            if should_stop is not None and should_stop():
                report.cancelled = True
                todo = iter(())
            submit_more()
    report.seconds = time.monotonic() - started
    return report


def pregenerate_thumbnails(cache_dir: os.PathLike, roots: Iterable[str], box: Tuple[int, int] = (512, 512),
                           workers: int = 0, progress: Optional[ProgressCallback] = None,
                           should_stop: Optional[Callable[[], bool]] = None,
                           exclude_names: Sequence[str] = ()) -> PregenerateReport:
    """Thumbnails of every image under `roots` at `box` (the UI asks for its grid size,
    512x512 by default)."""
    cache = ThumbnailCache(cache_dir)
    paths = find_media(roots, "image", exclude_names)
    return _run(paths, lambda p: cache.ensure(p, box), workers, progress, should_stop)


def pregenerate_video_covers(cache_dir: os.PathLike, roots: Iterable[str], workers: int = 0,
                             progress: Optional[ProgressCallback] = None,
                             should_stop: Optional[Callable[[], bool]] = None,
                             exclude_names: Sequence[str] = ()) -> PregenerateReport:
    """Covers of every video under `roots`."""
    cache = VideoCoverCache(cache_dir)
    paths = find_media(roots, "video", exclude_names)
    return _run(paths, cache.ensure, workers, progress, should_stop)
