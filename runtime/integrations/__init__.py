"""The integrations that ship with Parley, each a plug-in (`runtime.plugins`) registered in
pyproject.toml, and the installer of their dialog templates. Nothing outside this package and
the command line imports them."""

from typing import TYPE_CHECKING

from runtime.exports import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "runtime.integrations.installer": ["Installer", "templates"],
    },
)

if TYPE_CHECKING:
    # for type checkers, which do not run __getattr__
    from runtime.integrations.installer import Installer as Installer
    from runtime.integrations.installer import templates as templates
