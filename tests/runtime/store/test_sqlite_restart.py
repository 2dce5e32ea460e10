"""Conversations outlive the process: a new Python process reads what an old one wrote."""

from __future__ import annotations

import asyncio
import json
import sys
import textwrap
from pathlib import Path

from runtime.store.sqlite import SQLiteStore

READER = textwrap.dedent(
    """
    import asyncio, json, sys
    from runtime.store.sqlite import SQLiteStore

    async def main():
        store = SQLiteStore(sys.argv[1])
        await store.open()
        try:
            found = {
                "conv": (await store.get("conv", "sms:+14155550123")).decode(),
                "expiring": (await store.get("conv", "expiring")).decode(),
                "outbox": [m.decode() for m in await store.drain("outbox", "sms:+14155550123")],
                "scan": sorted([key async for key, _ in store.scan("conv")]),
            }
        finally:
            await store.close()
        print(json.dumps(found))

    asyncio.run(main())
    """
)

WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from runtime.store.sqlite import SQLiteStore

    async def main():
        store = SQLiteStore(sys.argv[1])
        await store.open()
        try:
            await store.put("conv", "web:abc", b"written by another process")
            await store.push("outbox", "web:abc", b"queued before the restart")
        finally:
            await store.close()

    asyncio.run(main())
    """
)


async def python(code: str, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(60):  # a guard against a hung child, not a measurement
            out, err = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_a_new_process_reads_what_this_one_wrote(tmp_path: Path) -> None:
    path = tmp_path / "var" / "parley.db"
    store = SQLiteStore(path)
    await store.open()
    await store.put("conv", "sms:+14155550123", b'{"dialog": "create_lead"}')
    await store.put("conv", "expiring", b"still valid", ttl=3600)
    await store.put("conv", "expired", b"gone", ttl=0.05)
    await store.push("outbox", "sms:+14155550123", b"first")
    await store.push("outbox", "sms:+14155550123", b"second")
    await store.close()
    await asyncio.sleep(0.1)

    found = json.loads(await python(READER, str(path)))

    assert found == {
        "conv": '{"dialog": "create_lead"}',
        "expiring": "still valid",
        "outbox": ["first", "second"],
        "scan": ["expiring", "sms:+14155550123"],
    }


async def test_this_process_reads_what_a_finished_one_wrote(tmp_path: Path) -> None:
    path = tmp_path / "parley.db"
    await python(WRITER, str(path))

    store = SQLiteStore(path)
    await store.open()
    try:
        assert await store.get("conv", "web:abc") == b"written by another process"
        assert await store.drain("outbox", "web:abc") == [b"queued before the restart"]
    finally:
        await store.close()
