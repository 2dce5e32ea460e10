"""Each package says what it offers (`__all__`), and every module can be imported first, on its
own, in a fresh interpreter: no import cycle hides behind the order the suite happens to use."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
PACKAGES = ("runtime", "channels", "sandbox")


def modules(kind: str) -> list[str]:
    names = []
    for top in PACKAGES:
        for path in sorted((REPOSITORY / top).rglob("*.py")):
            parts = path.relative_to(REPOSITORY).with_suffix("").parts
            if (parts[-1] == "__init__") == (kind == "package") and parts[-1] != "__main__":
                names.append(".".join(p for p in parts if p != "__init__"))
    return names


@pytest.mark.parametrize("package", modules("package"))
def test_each_package_lists_what_it_offers_and_has_it(package: str) -> None:
    module = importlib.import_module(package)
    offered = getattr(module, "__all__", None)
    assert offered is not None, f"{package} has no __all__ (an internal package: __all__ = [])"
    assert [name for name in offered if not hasattr(module, name)] == []


def test_every_module_imports_first_in_a_fresh_interpreter() -> None:
    # One interpreter for all: between two modules, every module of ours is forgotten.
    script = textwrap.dedent(
        """
        import importlib, sys, traceback
        ours = sys.argv[1].split(",")
        failed = []
        for name in sys.argv[2:]:
            for loaded in [m for m in sys.modules if m.split(".")[0] in ours]:
                del sys.modules[loaded]
            try:
                importlib.import_module(name)
            except Exception:
                failed.append(name + ": " + traceback.format_exc().splitlines()[-1])
        print("\\n".join(failed))
        """
    )
    names = modules("module") + modules("package")
    done = subprocess.run(
        [sys.executable, "-c", script, ",".join(PACKAGES), *names],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
