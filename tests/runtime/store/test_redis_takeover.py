"""An instance killed while it holds a user's lock on Redis: another instance takes over within
seconds (the lock's expiry), measured against a real process killed with SIGKILL."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import textwrap
import time

from runtime.store.redis import LOCK_TIMEOUT, RedisStore

URL = "redis://127.0.0.1:6379/0"
HOLD = textwrap.dedent(
    """
    import asyncio, sys
    from runtime.store.redis import RedisStore

    async def main():
        store = RedisStore(sys.argv[1], prefix=sys.argv[2])
        await store.open()
        async with store.lock("user:alice"):
            print("held", flush=True)
            await asyncio.sleep(3600)

    asyncio.run(main())
    """
)


async def test_a_lock_held_by_a_killed_instance_is_taken_over_within_five_seconds():
    prefix = f"parley-test-{secrets.token_hex(4)}"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, URL, prefix],
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.getcwd(),
    )
    store = RedisStore(URL, prefix=prefix)
    await store.open()
    try:
        assert holder.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(holder.stdout.readline), 30)
        assert line.strip() == "held"
        # while the holder lives (and renews), the lock stays taken, past its expiry
        await asyncio.sleep(LOCK_TIMEOUT + 1)

        async def take() -> None:
            async with store.lock("user:alice"):
                pass

        try:
            await asyncio.wait_for(take(), 0.5)
            raise AssertionError("took a lock that a live instance holds")
        except TimeoutError:
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
        killed = time.monotonic()
        await asyncio.wait_for(take(), 10)
        waited = time.monotonic() - killed
        assert waited < 5.0, waited
    finally:
        if holder.poll() is None:
            holder.kill()
        await store.close()
