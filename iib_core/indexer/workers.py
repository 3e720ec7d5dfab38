"""Extraction worker processes, fed through pipes.

Why not `multiprocessing`: a forkserver or spawn worker first re-runs the main script
of the parent as `__mp_main__` (and `fork` is unsafe in a process with threads, such
as the web server). For `app.py` that is the whole web stack, ~0.75 s of CPU per
worker, 1.5 s per run with two workers: 15% of the CPU a cold index of 20,000 files
needs. Inside SD-WebUI the main script may import torch. These workers run
`python -c "...; main()"` and import only the extraction code (~60 ms).

Protocol (pickle, protocol 4, over the worker's stdin/stdout): the parent sends the
options, then `(index, tasks)` chunks, then `None`; the worker answers each chunk
with `(index, ExtractedChunk)`. Whatever the worker prints goes to its stderr.
Frozen builds (no Python interpreter to start) use a multiprocessing pool instead,
see `job.py`.
"""
from __future__ import annotations

import collections
import os
import pickle
import queue
import subprocess
import sys
import threading
from typing import Deque, Dict, Iterator, List, Optional, Sequence, Tuple

from .extract import ExtractedChunk, ExtractOptions, Task, extract_many, init_worker

PICKLE_PROTOCOL = 4  # Python 3.4+: parent and worker are the same interpreter anyway
# Chunks handed to a worker ahead of the one it works on: it never waits for the parent.
DEPTH = 2

_PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class WorkerFailed(RuntimeError):
    """A worker process died or could not be started."""


def can_spawn_workers() -> bool:
    """False in frozen builds (PyInstaller & co.), where sys.executable is the app itself."""
    return not getattr(sys, "frozen", False) and bool(sys.executable)


class WorkerPool:
    """`n` worker processes; `imap_unordered(chunks)` yields (chunk, result) as they finish."""

    def __init__(self, n: int, options: ExtractOptions) -> None:
        self.options = options
        self._results: queue.Queue[Tuple[int, object]] = queue.Queue()
        self._procs: List[subprocess.Popen] = []
        self._readers: List[threading.Thread] = []
        try:
            for wid in range(n):
                self._start(wid)
        except BaseException:
            self.close(kill=True)
            raise

    def _start(self, wid: int) -> None:
        code = ("import sys; sys.path.insert(0, %r); "
                "from iib_core.indexer.workers import main; main()" % _PACKAGE_PARENT)
        try:
            proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    close_fds=True)
        except OSError as exc:
            raise WorkerFailed(f"cannot start an extraction worker: {exc}") from exc
        self._procs.append(proc)
        pickle.dump(self.options, proc.stdin, protocol=PICKLE_PROTOCOL)
        proc.stdin.flush()
        reader = threading.Thread(target=self._read, args=(wid, proc), name=f"iib-index-reader-{wid}", daemon=True)
        reader.start()
        self._readers.append(reader)

    def _read(self, wid: int, proc: subprocess.Popen) -> None:
        """Reader thread: unpickles the answers of one worker into the results queue."""
        try:
            while True:
                try:
                    answer = pickle.load(proc.stdout)
                except EOFError:
                    break
                self._results.put((wid, answer))
        except BaseException as exc:  # a garbled stream: report it like a death
            self._results.put((wid, WorkerFailed(f"extraction worker {proc.pid} sent garbage: {exc!r}")))
            return
        code = proc.wait()
        self._results.put((wid, WorkerFailed(f"extraction worker {proc.pid} exited with code {code}")
                                if code else None))

    def _send(self, wid: int, message) -> None:
        stdin = self._procs[wid].stdin
        try:
            pickle.dump(message, stdin, protocol=PICKLE_PROTOCOL)
            stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise WorkerFailed(f"extraction worker {self._procs[wid].pid} is gone: {exc}") from exc

    def imap_unordered(self, chunks: Sequence[List[Task]], poll: float = 0.5
                       ) -> Iterator[Optional[Tuple[List[Task], ExtractedChunk]]]:
        """Yield (chunk, result) in completion order; yields None every `poll` seconds
        without a result, so that the caller can check for cancellation."""
        todo = iter(range(len(chunks)))
        in_flight: Dict[int, Deque[int]] = {wid: collections.deque() for wid in range(len(self._procs))}

        def feed(wid: int) -> None:
            index = next(todo, None)
            if index is not None:
                in_flight[wid].append(index)
                self._send(wid, (index, chunks[index]))

        for _ in range(DEPTH):
            for wid in in_flight:
                feed(wid)
        while any(in_flight.values()):
            try:
                wid, answer = self._results.get(timeout=poll)
            except queue.Empty:
                yield None
                continue
            if isinstance(answer, BaseException):
                raise answer
            if answer is None:  # a clean exit while chunks were outstanding
                if in_flight[wid]:
                    raise WorkerFailed("an extraction worker exited before finishing its chunks")
                continue
            index, result = answer
            in_flight[wid].remove(index)
            feed(wid)
            yield chunks[index], result

    def close(self, kill: bool = False) -> None:
        for proc in self._procs:
            try:
                if kill:
                    proc.kill()
                else:
                    pickle.dump(None, proc.stdin, protocol=PICKLE_PROTOCOL)
                    proc.stdin.flush()
                proc.stdin.close()
            except (OSError, ValueError):
                pass
        for proc in self._procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover - a stuck read of a broken file
                proc.kill()
                proc.wait()
        for reader in self._readers:
            reader.join(timeout=10)
        for proc in self._procs:
            if proc.stdout:
                proc.stdout.close()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(kill=exc_type is not None)


def main() -> None:
    """Worker process: answer chunks until told to stop or the parent goes away."""
    stdin = sys.stdin.buffer
    # The answers own file descriptor 1; anything printed goes to stderr instead.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    init_worker()
    try:
        options = pickle.load(stdin)
        while True:
            message = pickle.load(stdin)
            if message is None:
                break
            index, tasks = message
            pickle.dump((index, extract_many(tasks, options)), out, protocol=PICKLE_PROTOCOL)
            out.flush()
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        pass  # the parent went away or is shutting down
    finally:
        try:
            out.close()
        except OSError:
            pass
