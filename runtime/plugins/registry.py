"""The installed integrations, found through the entry point group ``parley.integrations``.

Each entry point names an `Integration` subclass (``salesforce =
"runtime.integrations.salesforce.integration:Salesforce"``); it is imported and made once per
process, on first use, so the runtime itself never imports an integration by name. Two
integrations that claim one name, or one template filter, are refused: which one won would
otherwise depend on installation order.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from importlib.metadata import entry_points

from runtime.errors import ParleyError
from runtime.plugins.integration import Filter, Integration
from runtime.suggestions import did_you_mean

GROUP = "parley.integrations"


@functools.cache
def integrations() -> tuple[Integration, ...]:
    """Every installed integration, by name."""
    found: dict[str, Integration] = {}
    for point in sorted(entry_points(group=GROUP), key=lambda p: p.name):
        made = point.load()()
        if not isinstance(made, Integration):
            raise ParleyError(f"entry point {point.name!r} of {GROUP} is not an Integration")
        if made.name in found:
            raise ParleyError(f"two installed integrations are named {made.name!r}")
        found[made.name] = made
    _check_filters(found.values())
    return tuple(found.values())


def integration(name: str) -> Integration:
    """The installed integration `name`; a ParleyError naming the installed ones otherwise."""
    for each in integrations():
        if each.name == name:
            return each
    names = [i.name for i in integrations()]
    hint = did_you_mean(name, names)
    hint = f" ({hint})" if hint else ""
    known = ", ".join(names) or "none installed"
    raise ParleyError(f"There is no integration {name!r}{hint}. Integrations: {known}.")


def template_filters() -> Mapping[str, Filter]:
    """The template filters of every installed integration."""
    return {key: f for i in integrations() for key, f in i.filters.items()}


def _check_filters(found: Iterable[Integration]) -> None:
    owners: dict[str, str] = {}
    for each in found:
        for key in each.filters:
            if key in owners:
                raise ParleyError(
                    f"integrations {owners[key]!r} and {each.name!r} both define the template "
                    f"filter {key!r}"
                )
            owners[key] = each.name
