"""The compiled dialog: moves go through its one `transitions` machine, edges it lacks fail."""

from __future__ import annotations

import pytest

from runtime.dialogs.compiler import compile_dialog
from runtime.dialogs.loader import load_dialog
from runtime.dialogs.model import END
from runtime.errors import InternalError
from runtime.templating import Templates

DIALOG = """
dialog: visit
nodes:
  - id: name
    type: entity
    entity_type: string
    prompt: Name?
    next:
      - when: "entities.name == 'x'"
        to: done
      - to: company
  - id: company
    type: entity
    entity_type: string
    prompt: Company?
  - id: done
    type: message
    text: Bye.
"""


@pytest.fixture
def dialog():
    templates = Templates()
    return compile_dialog(load_dialog(DIALOG, "visit.yaml", templates), templates)


def test_every_edge_moves_and_moves_again_the_same_way(dialog) -> None:
    edges = [("name", "company"), ("name", "done"), ("company", "done"), ("done", END)]
    for _ in range(3):  # the first move fires the machine, later ones are remembered
        assert [dialog.move(source, dest) for source, dest in edges] == [d for _, d in edges]


def test_an_edge_the_dialog_lacks_is_refused_even_after_other_moves(dialog) -> None:
    dialog.move("name", "company")
    dialog.move("company", "done")
    for source, dest in [("company", "name"), ("done", "company"), ("name", "nowhere")]:
        with pytest.raises(InternalError, match=f"no edge '{source}' -> '{dest}'"):
            dialog.move(source, dest)
        with pytest.raises(InternalError):  # a refusal is not remembered as a move
            dialog.move(source, dest)
