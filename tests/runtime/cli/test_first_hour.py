"""The command line as a newcomer meets it in the first hour (issue 16, items 7-11), run as the
installed `parley` command in real folders: the sandbox's options, ports and bind errors, tests
that need a Salesforce org, --debug after the command, output cut short by `head`, a folder that
is not a bot's, a locale nobody speaks, and button choices in a piped chat."""

from __future__ import annotations

import errno
import os
import queue
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest
import yaml

from channels.listening import cannot_listen
from runtime.cli.common import NO_CONFIG
from runtime.integrations.salesforce.integration import Salesforce
from sandbox.cli import cannot_listen as sandbox_cannot_listen
from tests.runtime.cli.test_cli import PARLEY, ROOT, example_bot, parley

NO_ORG = Salesforce.test_org_note

PORT_RANGE = "expected a port from 1 to 65535 (0 for any free port)"
SALESFORCE_ENV = ("PARLEY_SALESFORCE_CLIENT_ID", "PARLEY_SALESFORCE_CLIENT_SECRET")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def taken_port() -> Iterator[int]:
    """A port another program listens on."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


class Running:
    """A `parley` process left running; its standard output read line by line."""

    def __init__(self, *args: str, cwd: Path) -> None:
        self.process = subprocess.Popen(
            [*PARLEY, *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, start: str, timeout: float = 60) -> str:
        """The first line of output starting with `start` (or containing it after a name)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append(line)
            if line.startswith(start) or start in line:
                return line
        self.stop()
        assert self.process.stderr is not None
        raise AssertionError(f"no {start!r} in {self.seen}; stderr: {self.process.stderr.read()}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


@contextmanager
def running(*args: str, cwd: Path) -> Iterator[Running]:
    proc = Running(*args, cwd=cwd)
    try:
        yield proc
    finally:
        proc.stop()


# 7. `parley sandbox` takes the options the README documents


def test_sandbox_help_lists_the_documented_options(tmp_path):
    done = parley("sandbox", "--help", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: parley sandbox")
    for option in ("--port", "--db", "--controls", "--edition", "--auto-approve"):
        assert option in done.stdout


def test_sandbox_runs_on_a_free_port_with_its_database_and_controls(tmp_path):
    db = tmp_path / "org" / "sandbox.db"
    with running("sandbox", "--port", "0", "--db", str(db), "--controls", cwd=tmp_path) as org:
        first = org.wait_for("Sandbox org running at ")
        url = first.removeprefix("Sandbox org running at ")
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":0")
        assert org.wait_for("  test controls:") == f"  test controls:  {url}/_sandbox"
        org.wait_for("Press Ctrl+C")
        assert httpx2.get(f"{url}/_sandbox", timeout=10).status_code == 200
        assert db.is_file()
        assert org.stop() == 0


def test_sandbox_on_a_fixed_port(tmp_path):
    port = free_port()
    db = tmp_path / "org.db"
    with running("sandbox", "--port", str(port), "--db", str(db), cwd=tmp_path) as org:
        assert org.wait_for("Sandbox org running at ") == (
            f"Sandbox org running at http://127.0.0.1:{port}"
        )


def test_sandbox_refuses_a_port_out_of_range(tmp_path):
    done = parley("sandbox", "--port", "99999", cwd=tmp_path)
    assert done.returncode == 2
    assert f"argument --port: {PORT_RANGE}, got '99999'" in done.stderr


# 8. ports are 1-65535 (0: any), and --host/--port say where the server listens


@pytest.mark.parametrize("port", ["99999", "-1", "65536", "http", "8080.5"])
def test_serve_refuses_a_port_out_of_range_in_one_sentence(tmp_path, port):
    done = parley("serve", "--port", port, cwd=example_bot(tmp_path))
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        f"parley serve: error: argument --port: {PORT_RANGE}, got {port!r}"
    )


def test_demo_refuses_ports_out_of_range(tmp_path):
    for option in ("--port", "--sandbox-port"):
        done = parley("demo", option, "70000", cwd=demo_bot(tmp_path / option))
        assert done.returncode == 2
        assert f"argument {option}: {PORT_RANGE}" in done.stderr


def test_serve_port_zero_listens_on_a_free_port_and_says_which(tmp_path):
    with running("serve", "--port", "0", cwd=example_bot(tmp_path)) as server:
        listening = server.wait_for("Parley bot is listening on http://127.0.0.1:")
        port = int(listening.split(":")[2].split(" ")[0])
        assert port != 0
        assert server.wait_for("Web chat: ") == f"Web chat: http://127.0.0.1:{port}/"
        assert httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200


def test_serve_port_and_host_are_where_it_listens_even_with_a_public_url(tmp_path):
    bot = example_bot(tmp_path)
    config = yaml.safe_load((bot / "config.yaml").read_text())
    config["server"] = {"port": free_port(), "public_url": "https://bot.example.com"}
    (bot / "config.yaml").write_text(yaml.safe_dump(config))
    port = free_port()
    with running("serve", "--host", "127.0.0.1", "--port", str(port), cwd=bot) as server:
        listening = server.wait_for("Parley bot is listening on ")
        assert f"listening on http://127.0.0.1:{port} " in listening
        # The web chat is where users reach it: the proxy's address, unchanged.
        assert server.wait_for("Web chat: ") == "Web chat: https://bot.example.com/"
        assert httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200


def demo_bot(tmp_path: Path) -> Path:
    """A bot of its own for `parley demo`, which installs the Salesforce templates into its
    dialogs folder before it opens any port."""
    folder = tmp_path / "demo"
    (folder / "dialogs").mkdir(parents=True)
    config = {"dialogs": ["dialogs"], "store": {"url": "sqlite:///var/parley.db"}}
    (folder / "config.yaml").write_text(yaml.safe_dump(config))
    return folder


def test_bind_errors_are_worded_one_way_by_every_command(tmp_path):
    bot = example_bot(tmp_path)
    with taken_port() as port:
        in_use = f"cannot listen on 127.0.0.1:{port}: another program is using port {port}"
        serve = parley("serve", "--port", str(port), cwd=bot)
        sandbox = parley("sandbox", "--port", str(port), "--db", str(tmp_path / "o.db"), cwd=bot)
        demo = parley("demo", "--sandbox-port", str(port), cwd=demo_bot(tmp_path))
    assert (serve.returncode, sandbox.returncode, demo.returncode) == (1, 1, 1)
    assert serve.stderr.splitlines()[-1] == f"{in_use}; choose another with --port"
    assert sandbox.stderr.splitlines()[-1] == f"{in_use}; choose another with --port"
    assert demo.stderr.splitlines()[-1] == f"{in_use}; choose another with --sandbox-port"


def test_a_bad_host_is_said_the_same_way(tmp_path):
    bot = example_bot(tmp_path)
    port = free_port()
    unknown = parley("serve", "--host", "no-such-host.invalid", "--port", str(port), cwd=bot)
    assert unknown.returncode == 1
    assert unknown.stderr.splitlines()[-1] == (
        f"cannot listen on no-such-host.invalid:{port}: 'no-such-host.invalid' is not a host "
        "name or address this machine knows"
    )
    elsewhere = parley("serve", "--host", "192.0.2.1", "--port", str(port), cwd=bot)
    assert elsewhere.returncode == 1
    assert elsewhere.stderr.splitlines()[-1] == (
        f"cannot listen on 192.0.2.1:{port}: 192.0.2.1 is not an address of this machine"
    )


def test_permission_denied_and_the_sandbox_words_alike():
    # Binding below 1024 is allowed to root, so the refusal is made up here.
    denied = OSError(errno.EACCES, "Permission denied")
    assert cannot_listen("0.0.0.0", 80, denied) == (
        "cannot listen on 0.0.0.0:80: permission denied (ports below 1024 need administrator "
        "rights); choose another with --port"
    )
    for error in (
        denied,
        OSError(errno.EADDRINUSE, "Address already in use"),
        OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address"),
        socket.gaierror(-2, "Name or service not known"),
        OSError(errno.ENETUNREACH, "Network is unreachable"),
    ):
        assert sandbox_cannot_listen("127.0.0.1", 8900, error) == cannot_listen(
            "127.0.0.1", 8900, error
        )


# 9. transcripts that sign in to Salesforce, and no org configured


def _without_salesforce_app() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in SALESFORCE_ENV}


def parley_test(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*PARLEY, "test", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**_without_salesforce_app(), "PYTHONPATH": str(ROOT)},
    )


def test_test_uses_a_sandbox_org_when_a_transcript_needs_one_and_none_is_set_up(tmp_path):
    transcripts = ROOT / "tests" / "transcripts" / "salesforce"
    done = parley_test(
        str(transcripts / "get_lead.transcript.yaml"),
        str(transcripts / "delete_lead.transcript.yaml"),
        cwd=example_bot(tmp_path),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert NO_ORG == "no Salesforce org configured: using a local sandbox org"
    assert NO_ORG in done.stderr.splitlines()
    assert done.stdout.splitlines()[-1] == "2 passed, 0 failed"


def test_test_starts_no_org_for_transcripts_that_do_not_sign_in(tmp_path):
    done = parley_test(
        str(ROOT / "tests" / "transcripts" / "order_pizza.transcript.yaml"),
        cwd=example_bot(tmp_path),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert NO_ORG not in done.stderr
    sandbox = parley_test(
        "--sandbox",
        str(ROOT / "tests" / "transcripts" / "salesforce" / "get_lead.transcript.yaml"),
        cwd=example_bot(tmp_path),
    )
    assert sandbox.returncode == 0, sandbox.stdout + sandbox.stderr
    assert NO_ORG not in sandbox.stderr


# 10. --debug after the command, output cut short, no bot here, an unknown locale


def test_debug_is_taken_after_the_command_too(tmp_path):
    bot = example_bot(tmp_path)
    for args in (("graph", "nope", "--debug"), ("--debug", "graph", "nope")):
        done = parley(*args, cwd=bot)
        assert done.returncode == 1
        assert "There is no dialog 'nope'" in done.stderr
        assert "Traceback" in done.stderr
    quiet = parley("graph", "nope", cwd=bot)
    assert "Traceback" not in quiet.stderr
    nested = parley("integrations", "templates", "salesforce", "--debug", cwd=bot)
    assert nested.returncode == 0, nested.stderr
    assert nested.stdout.startswith("create_lead")


def test_output_cut_short_by_its_reader_ends_quietly(tmp_path):
    bot = example_bot(tmp_path)
    process = subprocess.Popen(
        [*PARLEY, "integrations", "templates", "salesforce"],
        cwd=bot,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader goes away before parley writes anything
    assert process.wait(60) == 0
    assert process.stderr.read() == ""
    piped = subprocess.run(
        [
            "bash",
            "-c",
            f"{' '.join(PARLEY)} integrations templates salesforce | head -1; "
            "exit ${PIPESTATUS[0]}",
        ],
        cwd=bot,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.startswith("create_lead") and len(piped.stdout.splitlines()) == 1
    assert piped.stderr == ""


@pytest.mark.parametrize(
    "args",
    [
        ("validate",),
        ("serve",),
        ("demo",),
        ("chat",),
        ("test",),
        ("graph", "order_pizza"),
        ("integrations", "list"),
        ("integrations", "templates", "salesforce"),
        ("integrations", "install", "salesforce", "--all"),
    ],
    ids=" ".join,
)
def test_outside_a_bot_folder_every_command_says_there_is_no_config(tmp_path, args):
    done = parley(*args, cwd=tmp_path, stdin="hello\n")
    assert done.returncode == 1
    assert done.stderr == NO_CONFIG + "\n"
    assert NO_CONFIG.startswith("no config.yaml here")
    assert list(tmp_path.iterdir()) == []  # nothing written into a folder that is not a bot's


def test_an_unknown_locale_is_refused_at_its_line(tmp_path):
    bot = example_bot(tmp_path)
    config = (bot / "config.yaml").read_text()
    (bot / "config.yaml").write_text("bot:\n  locale: xx-QQ\n" + config)
    expected = (
        "config.yaml:2: bot.locale: 'xx-QQ' is not a language and region Parley knows "
        "(for example en-US, fr-FR, pt-BR)"
    )
    checked = parley("validate", cwd=bot)
    assert checked.returncode == 1
    assert expected in checked.stderr.splitlines()
    chat = parley("chat", cwd=bot, stdin="hello\n")
    assert chat.returncode == 1
    assert chat.stderr.splitlines() == [expected]


def test_a_currency_nobody_uses_is_refused_at_its_line(tmp_path):
    bot = example_bot(tmp_path)
    config = (bot / "config.yaml").read_text()
    (bot / "config.yaml").write_text("bot:\n  currency: QQQ\n" + config)
    expected = "config.yaml:2: bot.currency: 'QQQ' is not a currency in use today (such as USD)"
    checked = parley("validate", cwd=bot)
    assert checked.returncode == 1
    assert expected in checked.stderr.splitlines()
    chat = parley("chat", cwd=bot, stdin="hello\n")
    assert chat.returncode == 1
    assert chat.stderr.splitlines() == [expected]


# 11. a piped chat shows the choices and the links


def test_piped_chat_shows_button_choices_and_links(tmp_path):
    bot = example_bot(tmp_path)
    done = parley("chat", cwd=bot, stdin="order a pizza\n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["What size?", "[small] [medium] [large]"]

    dialogs = tmp_path / "mine"
    dialogs.mkdir()
    (dialogs / "docs.yaml").write_text(
        "dialog: docs\nintents: [where are the docs]\nnodes:\n"
        "  - id: say\n    type: message\n    text: Here they are.\n    buttons:\n"
        "      - label: Read the docs\n        url: https://docs.example.com/start\n"
        "      - label: Thanks\n        value: thanks\n"
        "      - label: More\n        value: more\n"
        "    next: end\n"
    )
    config = yaml.safe_load((bot / "config.yaml").read_text())
    config["dialogs"] = [str(dialogs)]
    (bot / "config.yaml").write_text(yaml.safe_dump(config))
    linked = parley("chat", cwd=bot, stdin="/start docs\n")
    assert linked.returncode == 0, linked.stderr
    assert linked.stdout.splitlines() == [
        "Here they are.",
        "[Thanks] [More]",
        "Read the docs: https://docs.example.com/start",
    ]
