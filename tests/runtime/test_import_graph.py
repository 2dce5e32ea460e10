"""The runtime does not know its integrations, nor the sandbox org, nor the channels.

Every module of runtime/ other than the integrations themselves and the command line is read
with `ast`, imports inside functions and under TYPE_CHECKING included, and none may import
`runtime.integrations`, `sandbox` or `channels`. Integrations reach the runtime through the
entry point group ``parley.integrations`` (runtime/plugins) instead.
"""

from __future__ import annotations

import ast
from pathlib import Path

RUNTIME = Path(__file__).resolve().parents[2] / "runtime"
EXEMPT = ("integrations", "cli")  # runtime/integrations/** and runtime/cli/** may
FORBIDDEN = ("runtime.integrations", "sandbox", "channels")


def module_name(path: Path) -> str:
    parts = path.relative_to(RUNTIME.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, module: str, *, package: bool = False) -> list[tuple[int, str]]:
    """(line, module) for every import in `source`, wherever it stands; relative imports are
    resolved against `module` (a package's own name when `package`)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor if package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            # `from runtime import integrations` imports the package as surely as its name does
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
            found.append((node.lineno, base))
    return found


def forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


def engine_side() -> list[Path]:
    return [
        path
        for path in sorted(RUNTIME.rglob("*.py"))
        if path.relative_to(RUNTIME).parts[0] not in EXEMPT
    ]


def test_the_runtime_imports_no_integration_sandbox_or_channel() -> None:
    modules = engine_side()
    assert len(modules) > 50  # the walk found the tree
    offending = [
        f"{path.relative_to(RUNTIME.parent)}:{line}: imports {name}"
        for path in modules
        for line, name in imported(
            path.read_text(), module_name(path), package=path.name == "__init__.py"
        )
        if forbidden(name)
    ]
    assert offending == []


def test_imports_are_found_inside_functions_and_by_every_spelling() -> None:
    source = (
        "import os\n"
        "def late():\n"
        "    from runtime.integrations.salesforce.filters import FILTERS\n"
        "class C:\n"
        "    def m(self):\n"
        "        import sandbox.server\n"
        "from runtime import integrations\n"
        "from ..integrations import installer\n"
        "if True:\n"
        "    import channels as c\n"
    )
    found = {(line, name) for line, name in imported(source, "runtime.auth.profiles")}
    assert {(line, name) for line, name in found if forbidden(name)} == {
        (3, "runtime.integrations.salesforce.filters.FILTERS"),
        (3, "runtime.integrations.salesforce.filters"),
        (6, "sandbox.server"),
        (7, "runtime.integrations"),
        (8, "runtime.integrations.installer"),
        (8, "runtime.integrations"),
        (10, "channels"),
    }
    assert forbidden("sandboxed") is False and forbidden("runtime.integration") is False


def test_an_exempt_folder_is_all_that_is_left_out() -> None:
    left_out = {p.relative_to(RUNTIME).parts[0] for p in RUNTIME.rglob("*.py")} - {
        p.relative_to(RUNTIME).parts[0] for p in engine_side()
    }
    assert left_out == set(EXEMPT)
