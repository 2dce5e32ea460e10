"""Transcripts: conversations written down once and replayed against the bot as tests.

See ``spec/transcripts.md``. `load_transcript` reads a ``*.transcript.yaml`` file,
`open_replay_bot` opens the configured bot on a temporary store, `Runner` replays transcripts on
it and `Recorder` writes a live conversation as a transcript.
"""

from runtime.transcripts.identity import AuthorizationFailed, Login, follow_authorization
from runtime.transcripts.loader import SUFFIX, find_transcripts, load_transcript, parse_transcript
from runtime.transcripts.model import Transcript
from runtime.transcripts.report import Failure, Result, summary
from runtime.transcripts.suite import Runner, open_replay_bot, select

__all__ = [
    "SUFFIX",
    "AuthorizationFailed",
    "Failure",
    "Login",
    "Result",
    "Runner",
    "Transcript",
    "find_transcripts",
    "follow_authorization",
    "load_transcript",
    "open_replay_bot",
    "parse_transcript",
    "select",
    "summary",
]
