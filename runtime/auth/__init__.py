"""Authorization inside conversations: OAuth 2.0 profiles, states, encrypted tokens, refresh."""

from typing import TYPE_CHECKING

from runtime.exports import lazy_exports

__all__, __getattr__ = lazy_exports(
    __name__,
    {
        "runtime.auth.authorizer": ["OAuthAuthorizer"],
        "runtime.auth.crypto": ["SecretBox"],
        "runtime.auth.oauth": ["OAuthClient"],
        "runtime.auth.profiles": ["Profile"],
        "runtime.auth.states": ["StateBook"],
        "runtime.auth.tokens": ["TokenStore"],
    },
)

if TYPE_CHECKING:
    # for type checkers, which do not run __getattr__
    from runtime.auth.authorizer import OAuthAuthorizer as OAuthAuthorizer
    from runtime.auth.crypto import SecretBox as SecretBox
    from runtime.auth.oauth import OAuthClient as OAuthClient
    from runtime.auth.profiles import Profile as Profile
    from runtime.auth.states import StateBook as StateBook
    from runtime.auth.tokens import TokenStore as TokenStore
