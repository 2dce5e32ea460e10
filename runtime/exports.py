"""A package's public names, imported when first used: `from runtime.engine import Engine` loads
the module that defines Engine then, so importing one module of a package never imports its
siblings too (which would tie the packages into import cycles: auth uses the engine's executor,
the engine the dialogs' compiler, the compiler templating, templating the plug-ins, and the
plug-ins auth)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, Sequence[str]]
) -> tuple[list[str], Callable[[str], Any]]:
    """`__all__` and the module `__getattr__` (PEP 562) of `package`, which offers the names
    of each module in `exports` (module -> names)."""
    home = {name: module for module, names in exports.items() for name in names}

    def __getattr__(name: str) -> Any:
        module = home.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)  # found once; later lookups are plain
        return value

    return sorted(home), __getattr__
