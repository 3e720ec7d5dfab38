"""Background jobs of the semantic layer (clustering, organise plans), kept in memory.

Statuses: `queued` → `running` → `completed` | `error` (docs/api.md, "AI routes"). Jobs run one
at a time per instance (they share the CPU and the provider's rate limit); only the
`KEEP` most recently updated jobs are remembered.
"""
from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from typing import Callable, Dict, Optional

from ..errors import IIBError, NotFound

log = logging.getLogger("iib.ai")
KEEP = 16


class Job:
    def __init__(self, kind: str, req: dict) -> None:
        self.id = secrets.token_hex(16)
        now = time.time()
        self.data: Dict[str, object] = {"job_id": self.id, "kind": kind, "status": "queued", "stage": "queued",
                                        "created_at": now, "updated_at": now, "req": req, "folders": [],
                                        "progress": {}, "result": None, "cache_hit": False, "error": None}
        self._lock = threading.Lock()

    def update(self, **fields) -> None:
        with self._lock:
            self.data.update(fields)
            self.data["updated_at"] = time.time()

    def stage(self, name: str) -> None:
        self.update(stage=name)

    def progress(self, values: Dict[str, object]) -> None:
        with self._lock:
            merged = dict(self.data["progress"])  # type: ignore[call-overload]
            merged.update(values)
            self.data["progress"] = merged
            self.data["updated_at"] = time.time()

    def snapshot(self) -> dict:
        with self._lock:
            return dict(self.data)


class AIJobs:
    def __init__(self) -> None:
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._run_lock = threading.Lock()
        self._threads: Dict[str, threading.Thread] = {}

    def start(self, kind: str, req: dict, work: Callable[[Job], dict]) -> Job:
        job = Job(kind, req)
        with self._lock:
            self._jobs[job.id] = job
            self._trim()
        thread = threading.Thread(target=self._run, args=(job, work), name=f"iib-ai-{kind}", daemon=True)
        self._threads[job.id] = thread
        thread.start()
        return job

    def _run(self, job: Job, work: Callable[[Job], dict]) -> None:
        with self._run_lock:
            job.update(status="running", stage="init")
            try:
                out = work(job)
                job.update(status="completed", stage="done", **out)
            except IIBError as exc:
                job.update(status="error", stage="error", error=exc.detail if isinstance(exc.detail, str)
                           else str(exc.detail), error_status=exc.status)
            except Exception as exc:  # reported to the poller; the log has the traceback
                log.exception("AI job %s failed", job.id)
                job.update(status="error", stage="error", error=f"{type(exc).__name__}: {exc}", error_status=500)
            finally:
                with self._lock:
                    self._jobs.move_to_end(job.id) if job.id in self._jobs else None
                    self._trim()
                self._threads.pop(job.id, None)

    def _trim(self) -> None:
        while len(self._jobs) > KEEP:
            oldest = next(iter(self._jobs))
            if self._jobs[oldest].data["status"] in ("queued", "running"):
                break
            self._jobs.popitem(last=False)

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id or "")
        if job is None:
            raise NotFound("job not found")
        return job

    def wait(self, job_id: str, timeout: Optional[float] = None) -> None:
        thread = self._threads.get(job_id)
        if thread is not None:
            thread.join(timeout)
