"""`parley integrations templates salesforce` and `install`, run as processes in a bot folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from runtime.integrations.installer import TEMPLATE_FOLDERS

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = [
    "create_lead",
    "create_opportunity",
    "delete_lead",
    "get_all_leads",
    "get_lead",
    "search_leads",
    "update_lead",
]


def parley(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "runtime.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )


def states(listing: str) -> dict[str, str]:
    """Template name -> state, from the `templates` listing's columns."""
    found = {}
    for line in listing.splitlines():
        name, rest = line.split(maxsplit=1)
        found[name] = rest.split("  ")[0].strip()
    return found


def source(name: str) -> str:
    return (TEMPLATE_FOLDERS["salesforce"] / f"{name}.yaml").read_text()


@pytest.fixture
def bot(tmp_path: Path) -> Path:
    (tmp_path / "config.yaml").write_text("dialogs: [dialogs/]\n")
    return tmp_path


def test_listing_installing_and_refusing_to_overwrite_an_edit(bot: Path) -> None:
    listed = parley("integrations", "templates", "salesforce", cwd=bot)
    assert listed.returncode == 0, listed.stderr
    assert states(listed.stdout) == dict.fromkeys(TEMPLATES, "not installed")
    search = next(line for line in listed.stdout.splitlines() if line.startswith("search_leads"))
    assert search.endswith("  Search Salesforce leads by any words")

    folder = bot / "dialogs" / "salesforce"
    done = parley("integrations", "install", "salesforce", "create_lead", "get_lead", cwd=bot)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"create_lead: installed ({folder / 'create_lead.yaml'})",
        f"get_lead: installed ({folder / 'get_lead.yaml'})",
    ]
    assert (folder / "create_lead.yaml").read_text() == source("create_lead")

    edited = source("create_lead").replace("What is the lead's last name?", "Surname?")
    (folder / "create_lead.yaml").write_text(edited)
    (folder / "delete_lead.yaml").write_text(source("delete_lead"))  # copied by hand
    listed = parley("integrations", "templates", "salesforce", cwd=bot)
    assert states(listed.stdout) == {
        **dict.fromkeys(TEMPLATES, "not installed"),
        "create_lead": "changed by you",
        "get_lead": "installed",
        "delete_lead": "a file of yours",
    }

    refused = parley("integrations", "install", "salesforce", "--all", cwd=bot)
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr == (
        f"Not overwriting: {folder / 'create_lead.yaml'} is changed by you; "
        f"{folder / 'delete_lead.yaml'} is a file of yours. "
        "Use --force to replace it with the template.\n"
    )
    assert (folder / "create_lead.yaml").read_text() == edited
    assert not (folder / "update_lead.yaml").exists()  # nothing at all was written

    forced = parley("integrations", "install", "salesforce", "create_lead", "--force", cwd=bot)
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout == f"create_lead: replaced ({folder / 'create_lead.yaml'})\n"
    assert (folder / "create_lead.yaml").read_text() == source("create_lead")

    everything = parley("integrations", "install", "salesforce", "--all", "--force", cwd=bot)
    assert everything.returncode == 0, everything.stderr
    said = dict(line.split(": ", 1) for line in everything.stdout.splitlines())
    assert {name: what.split(" (")[0] for name, what in said.items()} == {
        **dict.fromkeys(TEMPLATES, "installed"),
        "create_lead": "already installed",
        "get_lead": "already installed",
        "delete_lead": "replaced",
    }
    assert all((folder / f"{name}.yaml").read_text() == source(name) for name in TEMPLATES)


def test_bad_requests_get_a_sentence_not_a_traceback(bot: Path) -> None:
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "runtime.cli", *args],
            cwd=bot,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for args in (
            ("integrations", "install", "salesforce"),
            ("integrations", "install", "salesforce", "create_account"),
            ("integrations", "templates", "hubspot"),
        )
    ]
    outputs = [run.communicate(timeout=60) for run in runs]
    nothing, unknown, other = (
        subprocess.CompletedProcess(run.args, run.returncode, out, err)
        for run, (out, err) in zip(runs, outputs, strict=True)
    )
    assert (nothing.returncode, nothing.stderr) == (
        1,
        "Name the templates to install, or use --all. "
        "See them with: parley integrations templates salesforce\n",
    )
    assert (unknown.returncode, unknown.stderr) == (
        1,
        "Unknown template(s) create_account for salesforce. Templates: "
        + ", ".join(TEMPLATES)
        + ".\n",
    )
    assert (other.returncode, other.stderr) == (
        1,
        "There is no integration 'hubspot'. Integrations: salesforce.\n",
    )
    assert not (bot / "dialogs").exists()
