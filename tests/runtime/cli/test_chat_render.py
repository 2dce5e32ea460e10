"""How `parley chat` shows a message's buttons in a terminal: quick replies by label, links with
the address they open."""

from runtime.cli.chat import render
from runtime.engine.messages import Link, say


def test_link_buttons_show_their_address_and_quick_replies_their_label():
    message = say("Lead created.", (("Another", "create a lead"), Link("View", "https://x.test/r")))
    assert render(message, interactive=True) == (
        "Lead created.\n     [Another]\n     View: https://x.test/r"
    )
    assert render(message, interactive=False) == (
        "Lead created.\n[Another]\nView: https://x.test/r"
    )


def test_piped_choices_share_a_line_and_each_link_has_its_own():
    message = say(
        "What size?",
        (
            ("small", "small"),
            ("large", "large"),
            Link("Menu", "https://x.test/m"),
            Link("Map", "u"),
        ),
    )
    assert render(message, interactive=False).splitlines() == [
        "What size?",
        "[small] [large]",
        "Menu: https://x.test/m",
        "Map: u",
    ]
    assert render(say("Plain."), interactive=False) == "Plain."
