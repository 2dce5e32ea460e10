"""A pytest plugin: every ``*.transcript.yaml`` file is a test item, replayed against the bot.

The bot is the one whose config.yaml is at pytest's rootdir, or the file named by the ini
option ``parley_config`` (relative to the rootdir). Further ini options: ``parley_sandbox``
(true: start each integration's test org, such as a sandbox Salesforce org, and point the bot
at it) and
``parley_step_timeout`` (seconds a step may take). A failure reads as `parley test` prints it.

Each item replays on a bot of its own, on a temporary store, in an event loop of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runtime.config import load_config
from runtime.errors import ConfigError, DefinitionError, TranscriptError
from runtime.transcripts.loader import SUFFIX, default_name, load_transcript
from runtime.transcripts.model import Transcript
from runtime.transcripts.replay import DEFAULT_STEP_TIMEOUT
from runtime.transcripts.report import Failure, Result
from runtime.transcripts.suite import Runner, open_replay_bot

CONFIG_OPTION = "parley_config"
SANDBOX_OPTION = "parley_sandbox"
TIMEOUT_OPTION = "parley_step_timeout"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(CONFIG_OPTION, "the bot's config.yaml for transcript tests", default="")
    parser.addini(
        SANDBOX_OPTION, "replay transcripts with integrations' test orgs standing in", type="bool"
    )
    parser.addini(TIMEOUT_OPTION, "seconds a transcript step may take", default="")


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.name.endswith(SUFFIX):
        return TranscriptFile.from_parent(parent, path=file_path)
    return None


class TranscriptFailed(TranscriptError):
    def __init__(self, result: Result) -> None:
        super().__init__(result.render())
        self.result = result


class TranscriptFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        try:
            transcript: Transcript | Result = load_transcript(self.path)
        except DefinitionError as exc:
            name = default_name(str(self.path))
            transcript = Result(str(self.path), name, tuple(map(Failure.of, exc.problems)))
        yield TranscriptItem.from_parent(self, name=transcript.name, transcript=transcript)


class TranscriptItem(pytest.Item):
    def __init__(self, *, transcript: Transcript | Result, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.transcript = transcript

    def runtest(self) -> None:
        if isinstance(self.transcript, Result):
            raise TranscriptFailed(self.transcript)
        result = asyncio.run(self._replay(self.transcript))
        if not result.passed:
            raise TranscriptFailed(result)

    async def _replay(self, transcript: Transcript) -> Result:
        ini = self.config.getini
        config = load_config(self._config_path())
        timeout = float(ini(TIMEOUT_OPTION) or DEFAULT_STEP_TIMEOUT)
        async with open_replay_bot(config, sandbox=bool(ini(SANDBOX_OPTION))) as opened:
            runner = Runner(opened.bot, login=opened.login, step_timeout=timeout)
            (result,) = await runner.run([runner.check(transcript)])
            return result

    def _config_path(self) -> Path:
        given = self.config.getini(CONFIG_OPTION)
        return self.config.rootpath / (given or "config.yaml")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, TranscriptFailed):
            return excinfo.value.result.render()
        if isinstance(excinfo.value, ConfigError | DefinitionError):
            return f"the bot could not be loaded:\n{excinfo.value}"
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Path, int, str]:
        line = getattr(self.transcript, "line", 1)
        return self.path, line - 1, f"transcript: {self.name}"
