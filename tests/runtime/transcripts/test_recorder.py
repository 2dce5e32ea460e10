"""`Recorder`: a live conversation written down replays green."""

from __future__ import annotations

from runtime.config import load_config
from runtime.engine.turn import User
from runtime.transcripts import Runner, open_replay_bot
from runtime.transcripts.recorder import Recorder
from tests.runtime.transcripts.conftest import bot_folder


async def test_a_recorded_conversation_replays_green(tmp_path):
    config = load_config(bot_folder(tmp_path / "bot"), env={})
    recorder = Recorder("pizza for Flo")
    user = User("flo", "terminal")
    async with open_replay_bot(config) as live:
        for text in ["hello there", "order a pizza", "huge", "large", "Flo", "look up my order"]:
            recorder.record(text, await live.bot.engine.handle(user, text))
    path = tmp_path / "flo.transcript.yaml"
    recorder.write(path)

    written = path.read_text()
    assert written.startswith("name: pizza for Flo\nsteps:\n- user: hello there\n")
    assert "- bot:\n    text: What size?\n    buttons:\n    - small\n    - large\n" in written
    assert "- user: hello there\n- bot: Hello! What can I do for you?\n" in written

    async with open_replay_bot(config) as again:
        runner = Runner(again.bot)
        (result,) = await runner.run([runner.load(path)])
    assert result.passed, result.render()
    assert result.steps == 12


async def test_a_recording_with_other_answers_no_longer_replays(tmp_path):
    config = load_config(bot_folder(tmp_path / "bot"), env={})
    recorder = Recorder()
    user = User("gil", "terminal")
    async with open_replay_bot(config) as live:
        for text in ["order a pizza", "small"]:
            recorder.record(text, await live.bot.engine.handle(user, text))
    path = tmp_path / "gil.transcript.yaml"
    path.write_text(recorder.text().replace("Your name?", "Your full name?"))
    async with open_replay_bot(config) as again:
        runner = Runner(again.bot)
        (result,) = await runner.run([runner.load(path)])
    assert result.render().splitlines()[1] == f"{path}:10: the bot said something else"
