"""`parley serve` raises its soft limit of open files to the hard one before serving, and says so
at INFO: the installed command, started with a low soft limit, as a process."""

from __future__ import annotations

import resource
import subprocess
import time
from pathlib import Path

import yaml

from bench.sandbox_bot import parley_command

DIALOG = """
dialog: hello
intents: [say hello]
nodes:
  - id: hi
    type: message
    text: Hello.
"""
LOW = 256


def open_files_limits(pid: int) -> tuple[str, str]:
    """(soft, hard) of "Max open files" in /proc/PID/limits, as written there."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            soft, hard = line.split()[3:5]
            return soft, hard
    raise AssertionError("no 'Max open files' in /proc/PID/limits")


def test_serve_raises_the_soft_open_files_limit_to_the_hard_one(tmp_path: Path) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert hard > LOW, "the test needs a hard limit above its low soft one"
    (tmp_path / "dialogs").mkdir()
    (tmp_path / "dialogs" / "hello.yaml").write_text(DIALOG)
    config = tmp_path / "config.yaml"
    config.write_text(
        yaml.safe_dump({"dialogs": ["dialogs/"], "store": {"url": "sqlite:///var/parley.db"}})
    )

    def low_soft_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (LOW, hard))

    command = [parley_command(), "serve", "--config", str(config), "--port", "0", "--debug"]
    log = tmp_path / "serve.log"
    with log.open("wb") as err:
        process = subprocess.Popen(
            command,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=err,
            preexec_fn=low_soft_limit,
        )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        while b" is listening on " not in process.stdout.readline():
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
        assert open_files_limits(process.pid) == (str(hard), str(hard))
    finally:
        process.terminate()
        process.wait(30)
    said = log.read_text()
    line = f"INFO parley.channels: open files (RLIMIT_NOFILE): soft limit {LOW} -> {hard} "
    assert line + "(the hard limit)" in said, said
