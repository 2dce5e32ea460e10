"""A conversation survives the process: a new Python process answers where the old one stopped."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import write_bot
from tests.runtime.engine.test_bad_input import ASK_TWICE as DIALOG

SAY = textwrap.dedent(
    """
    import asyncio, sys
    from runtime.bot import Bot
    from runtime.config import load_config
    from runtime.engine.turn import User

    async def main():
        bot = await Bot.open(load_config(sys.argv[1], env={}))
        try:
            out = await bot.engine.handle(User("alice", "test"), sys.argv[2])
            print("|".join(m.text for m in out))
        finally:
            await bot.close()

    asyncio.run(main())
    """
)


def say(config, text):
    done = subprocess.run(
        [sys.executable, "-c", SAY, str(config), text],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_each_turn_in_a_new_process_continues_the_conversation(tmp_path):
    config = write_bot(tmp_path, {"names": DIALOG})
    assert say(config, "collect names") == "First name?"
    assert say(config, "Ada") == "Last name?"
    assert say(config, "Lovelace") == "Hello Ada Lovelace."
    assert (tmp_path / "var" / "parley.db").exists()
