"""`parley integrations templates salesforce` and `install`, run as processes in a bot folder,
and the templates `parley demo` installs on start."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from runtime.cli.demo import install_templates
from runtime.config import load_config
from runtime.dialogs.loader import load_dialogs
from runtime.integrations.installer import MANIFEST, template_folders

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


def what_happened(lines: list[str]) -> dict[str, str]:
    """Template name -> what install did, from its "name: what (path)" lines."""
    said = dict(line.split(": ", 1) for line in lines)
    return {name: what.rsplit(" (", 1)[0] for name, what in said.items()}


def source(name: str) -> str:
    return (template_folders()["salesforce"] / f"{name}.yaml").read_text()


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
    own = source("delete_lead").replace("Which lead should I delete?", "Which one?")
    (folder / "delete_lead.yaml").write_text(own)  # copied by hand, then edited
    (folder / "get_all_leads.yaml").write_text(source("get_all_leads"))  # copied by hand as is
    listed = parley("integrations", "templates", "salesforce", cwd=bot)
    assert states(listed.stdout) == {
        **dict.fromkeys(TEMPLATES, "not installed"),
        "create_lead": "changed by you",
        "get_lead": "installed",
        "delete_lead": "a file of yours",
        "get_all_leads": "installed",  # the template itself, whoever copied it
    }

    named = parley("integrations", "install", "salesforce", "create_lead", "delete_lead", cwd=bot)
    assert named.returncode == 1
    assert named.stdout == (
        f"create_lead: kept, changed by you ({folder / 'create_lead.yaml'})\n"
        f"delete_lead: kept, a file of yours ({folder / 'delete_lead.yaml'})\n"
    )
    assert named.stderr == (
        f"Kept {folder / 'create_lead.yaml'} (changed by you) and "
        f"{folder / 'delete_lead.yaml'} (a file of yours): not overwritten. To replace them "
        "with the templates, losing your changes: "
        "parley integrations install salesforce create_lead delete_lead --force\n"
    )

    everything = parley("integrations", "install", "salesforce", "--all", cwd=bot)
    assert everything.returncode == 0, everything.stderr
    *lines, note = everything.stdout.splitlines()
    assert what_happened(lines) == {
        **dict.fromkeys(TEMPLATES, "installed"),
        "create_lead": "kept, changed by you",
        "delete_lead": "kept, a file of yours",
        "get_all_leads": "already installed",
        "get_lead": "already installed",
    }
    assert note.startswith(f"Kept {folder / 'create_lead.yaml'} (changed by you) and ")
    assert note.endswith("install salesforce create_lead delete_lead --force")
    assert (folder / "create_lead.yaml").read_text() == edited
    assert (folder / "delete_lead.yaml").read_text() == own
    assert (folder / "update_lead.yaml").read_text() == source("update_lead")

    forced = parley("integrations", "install", "salesforce", "create_lead", "--force", cwd=bot)
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout == f"create_lead: replaced ({folder / 'create_lead.yaml'})\n"
    assert (folder / "create_lead.yaml").read_text() == source("create_lead")

    everything = parley("integrations", "install", "salesforce", "--all", "--force", cwd=bot)
    assert everything.returncode == 0, everything.stderr
    assert what_happened(everything.stdout.splitlines()) == {
        **dict.fromkeys(TEMPLATES, "already installed"),
        "delete_lead": "replaced",
    }
    assert all((folder / f"{name}.yaml").read_text() == source(name) for name in TEMPLATES)
    listed = parley("integrations", "templates", "salesforce", cwd=bot)
    assert states(listed.stdout) == dict.fromkeys(TEMPLATES, "installed")


def older(name: str) -> str:
    """`name` as an earlier Parley shipped it: its first two utterances, no synonyms."""
    text = source(name)
    start, end = text.index("intents:\n"), text.index("nodes:\n")
    first_two = [line for line in text[start:end].splitlines() if line.startswith("  - ")][:2]
    return text[:start] + "intents:\n" + "\n".join(first_two) + "\n" + text[end:]


def leave_an_earlier_install(folder: Path) -> dict[str, str]:
    """Every template installed by an earlier Parley: its older files and their digests."""
    folder.mkdir(parents=True)
    manifest = {}
    for name in TEMPLATES:
        (folder / f"{name}.yaml").write_text(older(name))
        manifest[name] = hashlib.sha256(older(name).encode()).hexdigest()
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def test_install_all_updates_older_templates_and_keeps_the_one_the_author_changed(
    bot: Path,
) -> None:
    folder = bot / "dialogs" / "salesforce"
    earlier = leave_an_earlier_install(folder)
    edited = older("get_lead").replace("Which lead?", "Which lead, exactly?")
    (folder / "get_lead.yaml").write_bytes(edited.encode())
    listed = parley("integrations", "templates", "salesforce", cwd=bot)
    assert states(listed.stdout) == {
        **dict.fromkeys(TEMPLATES, "installed, a newer template exists"),
        "get_lead": "changed by you",
    }

    done = parley("integrations", "install", "salesforce", "--all", cwd=bot)
    assert done.returncode == 0, done.stderr
    *lines, note = done.stdout.splitlines()
    assert what_happened(lines) == {
        **dict.fromkeys(TEMPLATES, "updated"),
        "get_lead": "kept, changed by you",
    }
    assert note == (
        f"Kept {folder / 'get_lead.yaml'} (changed by you, a newer template exists): not "
        "overwritten. To replace it with the template, losing your changes: "
        "parley integrations install salesforce get_lead --force"
    )
    assert (folder / "get_lead.yaml").read_bytes() == edited.encode()
    updated = [name for name in TEMPLATES if name != "get_lead"]
    for name in updated:
        assert (folder / f"{name}.yaml").read_text() == source(name)
    (template,) = load_dialogs([template_folders()["salesforce"] / "create_lead.yaml"])
    (installed,) = load_dialogs([folder / "create_lead.yaml"])
    assert yaml.safe_load(older("create_lead"))["intents"] == list(template.intents[:2])
    assert installed.intents == template.intents and len(installed.intents) >= 14
    assert installed.synonyms == tuple(
        dataclasses.replace(s, file=installed.file) for s in template.synonyms
    )
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["get_lead"] == earlier["get_lead"]  # still known as changed by the author
    for name in updated:
        assert manifest[name] == hashlib.sha256(source(name).encode()).hexdigest()
    listed = parley("integrations", "templates", "salesforce", cwd=bot)
    assert states(listed.stdout) == {
        **dict.fromkeys(TEMPLATES, "installed"),
        "get_lead": "changed by you",
    }

    again = parley("integrations", "install", "salesforce", "get_lead", cwd=bot)
    assert again.returncode == 1
    assert "Kept" in again.stderr and "get_lead --force" in again.stderr
    assert (folder / "get_lead.yaml").read_bytes() == edited.encode()


def test_demo_updates_older_templates_on_start_and_names_the_changed_one(
    bot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = bot / "dialogs" / "salesforce"
    leave_an_earlier_install(folder)
    edited = older("search_leads") + "# mine\n"
    (folder / "search_leads.yaml").write_text(edited)
    (folder / "create_opportunity.yaml").unlink()
    config = load_config(bot / "config.yaml")

    started = install_templates(config)
    assert started.installed == ["create_opportunity"]
    assert started.updated == [
        n for n in TEMPLATES if n not in ("create_opportunity", "search_leads")
    ]
    assert f"Kept {folder / 'search_leads.yaml'} (changed by you, a newer template exists)" in (
        started.note
    )
    assert started.note.endswith("parley integrations install salesforce search_leads --force")
    assert (folder / "search_leads.yaml").read_text() == edited
    for name in TEMPLATES:
        if name != "search_leads":
            assert (folder / f"{name}.yaml").read_text() == source(name)

    again = install_templates(config)  # the next start: nothing to do, the same reminder
    assert (again.installed, again.updated, again.note) == ([], [], started.note)


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
        "There is no integration 'hubspot'. Integrations: json_api, salesforce.\n",
    )
    assert not (bot / "dialogs").exists()
