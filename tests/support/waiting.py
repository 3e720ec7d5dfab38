"""Synchronising on state: one `wait_until` for every test that waits for something to happen,
and `free_port` for servers started by tests."""
from __future__ import annotations

import socket
import time
from typing import Callable, Optional, TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float = 30.0, interval: float = 0.05,
               message: str = "condition", check: Optional[Callable[[], None]] = None) -> T:
    """Call `predicate` until it returns something truthy and return that; fail after `timeout`
    seconds naming `message`. `check` runs before every try and may raise to stop early (for
    example when the process being waited for has died)."""
    deadline = time.monotonic() + timeout
    while True:
        if check is not None:
            check()
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {message}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
