"""How `parley chat` shows a message's buttons in a terminal: quick replies by label, links with
the address they open."""

from runtime.cli.chat import render
from runtime.engine.messages import Link, say


def test_link_buttons_show_their_address_and_quick_replies_their_label():
    message = say("Lead created.", (("Another", "create a lead"), Link("View", "https://x.test/r")))
    assert render(message, interactive=True) == (
        "Lead created.\n  [Another]  [View: https://x.test/r]"
    )
    assert render(message, interactive=False) == "Lead created."
