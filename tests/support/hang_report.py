"""A test that runs close to pytest-timeout's limit prints every asyncio task of the loop it
runs on with its whole chain of awaits (pytest-timeout shows threads only, and a hung test is
usually a task waiting for something that never comes), and asks every `parley serve` it started
to do the same (SIGUSR1: into that server's stderr, its log), so that a hang in CI can be
understood from its logs.

Registered as a pytest plugin by tests/conftest.py."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from channels.task_dump import dump_tasks

MARGIN = 15.0  # seconds before the timeout


def _print_tasks(signum: int, frame: FrameType | None) -> None:
    out = sys.stderr
    print("\n--- hang report: the main thread ---", file=out)
    traceback.print_stack(frame, file=out)
    for pid in _parley_servers():
        print(f"--- asking parley serve (pid {pid}) for its tasks: see its log", file=out)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGUSR1)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        print("--- no asyncio loop is running ---", file=out, flush=True)
        return
    dump_tasks(out)


def _parley_servers() -> list[int]:
    """The `parley serve` processes among this process's children."""
    found = []
    for children in Path("/proc/self/task").glob("*/children"):
        for pid in children.read_text().split():
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(part.endswith(b"parley") for part in command) and b"serve" in command:
                found.append(int(pid))
    return found


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
