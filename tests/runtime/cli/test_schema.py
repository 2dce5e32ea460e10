"""`parley schema`, and the schema line of installed templates, run as the installed command in
real folders."""

from __future__ import annotations

from pathlib import Path

from runtime.schemas import FOLDER, KINDS, file_name, render
from tests.runtime.cli.test_cli import ROOT, parley

SCHEMA_LINE = "# yaml-language-server: $schema="


def test_schema_prints_each_schema_and_writes_them_into_a_bot(tmp_path: Path):
    for kind in KINDS:
        done = parley("schema", kind, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert done.stdout == render(kind)
    missing = parley("schema", cwd=tmp_path)
    assert missing.returncode == 1
    assert "parley schema dialog" in missing.stderr
    (tmp_path / "config.yaml").write_text("bot: {name: Mine}\n")
    written = parley("schema", "--write", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    for kind in KINDS:
        assert (tmp_path / FOLDER / file_name(kind)).read_text() == render(kind)


def test_the_root_of_the_repository_is_a_bot_with_its_schemas():
    """The demo bot's installed templates point at .parley/ at the repository's root."""
    for kind in KINDS:
        assert (ROOT / FOLDER / file_name(kind)).read_text() == render(kind)


def test_installed_templates_point_at_schemas_that_the_install_writes(tmp_path: Path):
    (tmp_path / "config.yaml").write_text("bot: {name: Mine}\n")
    done = parley("integrations", "install", "salesforce", "--all", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    installed = sorted((tmp_path / "dialogs" / "salesforce").glob("*.yaml"))
    assert len(installed) == 7
    for path in installed:
        first = path.read_text().split("\n", 1)[0]
        assert first.startswith(SCHEMA_LINE), path
        target = (path.parent / first.removeprefix(SCHEMA_LINE)).resolve()
        assert target == (tmp_path / FOLDER / file_name("dialog")).resolve()
        assert target.read_text() == render("dialog")
