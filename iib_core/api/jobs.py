"""Background index jobs: at most one at a time per instance, with progress for polling."""
from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, List, Optional

from ..db import folders as folders_db
from ..indexer import IndexJob, extract_options

if TYPE_CHECKING:  # pragma: no cover
    from .context import IIBContext

log = logging.getLogger("iib.api")


class IndexJobs:
    def __init__(self, ctx: IIBContext) -> None:
        self.ctx = ctx
        self._lock = threading.Lock()
        self._job: Optional[IndexJob] = None
        self._thread: Optional[threading.Thread] = None
        self._last: dict = {"state": "idle"}

    def start(self, roots: Optional[List[str]] = None, rebuild: bool = False) -> bool:
        """Start a run in the background; False when one is already running."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return False
            settings = self.ctx.settings
            job = IndexJob(self.ctx.db, roots if roots is not None else self.ctx.index_roots(),
                           exclude=self.ctx.exclude_dirs(),
                           options=extract_options(settings), workers=settings.index_workers)
            self._job = job
            self._last = {"state": "running", "started_at": time.time(), "rebuild": rebuild}
            self._thread = threading.Thread(target=self._run, args=(job, rebuild), name="iib-index", daemon=True)
            self._thread.start()
            return True

    def _run(self, job: IndexJob, rebuild: bool) -> None:
        try:
            if rebuild:
                with self.ctx.db.write() as conn:
                    folders_db.forget_all(conn)
            summary = job.run()
            self._last = {"state": summary.status, "finished_at": time.time(), "error": None}
        except Exception as exc:  # reported through status(); the log has the traceback
            log.exception("index run failed")
            self._last = {"state": "error", "finished_at": time.time(), "error": str(exc)}

    def wait(self, timeout: Optional[float] = None) -> None:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()

    def status(self) -> dict:
        out = dict(self._last)
        if self._job is not None:
            out["progress"] = self._job.progress.as_dict()
        out["running"] = self.running()
        return out
