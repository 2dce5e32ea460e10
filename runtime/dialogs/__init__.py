"""Dialog tasks: their model, loading and validation, compilation and drawing."""

from typing import TYPE_CHECKING

from runtime.exports import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "runtime.dialogs.compiler": ["CompiledDialog", "compile_dialog"],
        "runtime.dialogs.loader": ["load_dialog", "load_dialogs", "read_dialogs"],
        "runtime.dialogs.model": ["Dialog"],
    },
)

if TYPE_CHECKING:
    # for type checkers, which do not run __getattr__
    from runtime.dialogs.compiler import CompiledDialog as CompiledDialog
    from runtime.dialogs.compiler import compile_dialog as compile_dialog
    from runtime.dialogs.loader import load_dialog as load_dialog
    from runtime.dialogs.loader import load_dialogs as load_dialogs
    from runtime.dialogs.loader import read_dialogs as read_dialogs
    from runtime.dialogs.model import Dialog as Dialog
