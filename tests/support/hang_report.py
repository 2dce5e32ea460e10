"""A test that runs close to pytest-timeout's limit prints the stack of every asyncio task of
the loop it runs on (pytest-timeout shows threads only, and a hung test is usually a task
waiting for something that never comes), so that a hang in CI can be understood from its log.

Registered as a pytest plugin by tests/conftest.py."""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from types import FrameType

import pytest

MARGIN = 15.0  # seconds before the timeout


def _print_tasks(signum: int, frame: FrameType | None) -> None:
    out = sys.stderr
    print("\n--- hang report: the main thread ---", file=out)
    traceback.print_stack(frame, file=out)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        print("--- no asyncio loop is running ---", file=out, flush=True)
        return
    for task in list(asyncio.all_tasks(loop)):
        print(f"--- {task!r}", file=out)
        task.print_stack(file=out)
    out.flush()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator[None]:
    limit = float(item.config.getini("timeout") or 0)
    if limit <= MARGIN or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGUSR2, _print_tasks)
    main = threading.main_thread().ident
    assert main is not None
    timer = threading.Timer(limit - MARGIN, signal.pthread_kill, (main, signal.SIGUSR2))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        signal.signal(signal.SIGUSR2, previous)
