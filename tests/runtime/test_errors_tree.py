"""Every exception Parley defines is a ParleyError, drawn in runtime/errors.py's tree, so that a
caller (a channel, the command line, an embedding application) can catch Parley's errors with one
`except ParleyError` and read what each means in one place."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import runtime.errors
from runtime.errors import ParleyError

REPOSITORY = Path(__file__).resolve().parents[2]
PACKAGES = ("runtime", "channels")
# Raised and caught by Jinja inside a render, so it must be Jinja's UndefinedError; Parley turns
# it into a TemplateError before it leaves (runtime/templating.py).
OUTSIDE = {"runtime.templating._Missing"}


def exception_classes() -> list[type[BaseException]]:
    """Every class defined in runtime/ and channels/ that derives from BaseException."""
    found: list[type[BaseException]] = []
    for package in PACKAGES:
        for path in sorted((REPOSITORY / package).rglob("*.py")):
            tree = ast.parse(path.read_text())
            names = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
            if not names:
                continue
            parts = path.relative_to(REPOSITORY).with_suffix("").parts
            module = importlib.import_module(".".join(p for p in parts if p != "__init__"))
            for name in names:
                cls = getattr(module, name)
                if inspect.isclass(cls) and issubclass(cls, BaseException):
                    found.append(cls)
    return found


def test_the_walk_finds_the_exceptions_defined_outside_errors_py() -> None:
    names = {cls.__name__ for cls in exception_classes()}
    assert {"FrameError", "LockLost", "StepFailed", "YamlError", "_Missing"} <= names


def test_every_exception_is_a_parley_error() -> None:
    strays = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in exception_classes()
        if not issubclass(cls, ParleyError)
    ]
    assert sorted(strays) == sorted(OUTSIDE)


def test_every_exception_is_drawn_in_the_tree() -> None:
    tree = runtime.errors.__doc__ or ""
    missing = [
        cls.__name__
        for cls in exception_classes()
        if f"{cls.__module__}.{cls.__qualname__}" not in OUTSIDE
        and cls is not ParleyError  # the root
        and f"── {cls.__name__} " not in tree
    ]
    assert missing == []
