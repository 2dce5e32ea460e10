"""The conversation engine: turns of a user's messages through compiled dialogs, with their
state kept as plain data in the store."""

from typing import TYPE_CHECKING

from runtime.exports import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "runtime.engine.engine": ["ConversationWords", "Engine"],
        "runtime.engine.messages": ["Outbound"],
        "runtime.engine.state": ["ConversationState", "Status"],
        "runtime.engine.turn": ["User"],
    },
)

if TYPE_CHECKING:
    # for type checkers, which do not run __getattr__
    from runtime.engine.engine import ConversationWords as ConversationWords
    from runtime.engine.engine import Engine as Engine
    from runtime.engine.messages import Outbound as Outbound
    from runtime.engine.state import ConversationState as ConversationState
    from runtime.engine.state import Status as Status
    from runtime.engine.turn import User as User
