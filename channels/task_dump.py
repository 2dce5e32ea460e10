"""What every asyncio task of the server is waiting for, each with its whole chain of awaits
(asyncio's own `Task.print_stack` shows one frame of a suspended task): written to stderr when
`parley serve` gets SIGUSR1, to find a turn that hangs without stopping the server."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from types import FrameType
from typing import Any, TextIO


def awaits(coro: Any) -> Iterator[FrameType | str]:
    """The frames of `coro` and of what it awaits, outermost first, then the awaited object
    that is not a coroutine (a Future, say) as text."""
    seen = 0
    while coro is not None and seen < 200:
        seen += 1
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        frame = frame or getattr(coro, "ag_frame", None)
        if frame is None:
            yield repr(coro)[:200]
            return
        yield frame
        coro = (
            getattr(coro, "cr_await", None)
            or getattr(coro, "gi_yieldfrom", None)
            or getattr(coro, "ag_await", None)
        )


def dump_tasks(out: TextIO | None = None) -> None:
    """Every task of the running loop and the chain of what it awaits."""
    out = out or sys.stderr
    tasks = list(asyncio.all_tasks())
    print(f"--- {len(tasks)} asyncio tasks", file=out)
    for task in tasks:
        print(f"--- {task.get_name()}: {task!r:.300}", file=out)
        for step in awaits(task.get_coro()):
            if isinstance(step, str):
                print(f"    awaiting {step}", file=out)
            else:
                code = step.f_code
                print(f"    {code.co_filename}:{step.f_lineno} in {code.co_name}", file=out)
    out.flush()
