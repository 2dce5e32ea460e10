"""Bearer tokens for `auth:` service nodes, parking without a token, and the OAuth callback.

The executor asks `headers()` before a call. With a token it gets the Authorization header.
Without one, per_user: an auth_link goes to the user and the conversation parks at the node;
pre_authorized: the dialog stops, telling the user the bot is not connected and the log which
profile needs `parley integrations authorize`. A 401 triggers one refresh per (profile,
subject) at a time, even across many concurrent turns; a refused refresh drops the token, a
refresh that failed without a refusal (5xx, timeout, dropped connection) keeps it and fails
only the call, which goes to `on_error` or tells the user to try again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import httpx2

from runtime.auth.oauth import OAuthClient, OAuthFailure
from runtime.auth.profiles import PRE_AUTHORIZED, Profile
from runtime.auth.states import Redeem, StateBook
from runtime.auth.tokens import TokenRecord, TokenStore
from runtime.engine.authorization import PAGE_TEXT, Authorizer, Outcome, Verdict
from runtime.engine.executor import DialogStopped
from runtime.engine.parking import FIRST_ASK, Parked
from runtime.engine.state import Status
from runtime.engine.turn import Turn
from runtime.errors import ServiceError
from runtime.store.base import Store

__all__ = ["PAGE_TEXT", "OAuthAuthorizer", "Outcome", "Verdict"]

log = logging.getLogger("parley.auth")


# What the conversation is told when it resumes at on_auth_failure (or ends).
CHAT_TEXT = {
    Outcome.DENIED: "You declined to connect your {provider} account, so I can't go on.",
    Outcome.EXPIRED: "The link to connect your {provider} account expired, so I've stopped.",
    Outcome.FAILED: "I couldn't connect your {provider} account, so I've stopped.",
}


class OAuthAuthorizer(Authorizer):
    """The `Authorizer` of a bot: OAuth profiles, their tokens and their links' states."""

    def __init__(
        self,
        profiles: Mapping[str, Profile],
        store: Store,
        states: StateBook,
        tokens: TokenStore,
        oauth: OAuthClient,
        http: httpx2.AsyncClient,
    ) -> None:
        self.profiles = profiles
        self.store = store
        self.states = states
        self.tokens = tokens
        self.oauth = oauth
        self.http = http

    # -- the executor's protocol ----------------------------------------------------------------

    def facts(self, turn: Turn) -> Mapping[str, Any]:
        return turn.auth_facts

    async def load_facts(self, turn: Turn, profiles: frozenset[str]) -> None:
        for name in profiles:
            profile = self.profiles.get(name)
            if profile is None or name in turn.auth_facts:
                continue
            record = await self.tokens.get(name, profile.subject(turn.user.id))
            if record is not None:
                turn.auth_facts[name] = record.facts

    async def link_usable(self, parked: Parked) -> bool:
        return await self.states.waiting(parked.link_state())

    async def headers(self, turn: Turn, profile_name: str, node_id: str) -> dict[str, str] | None:
        profile = self._profile(turn, profile_name)
        record = await self.tokens.get(profile.name, profile.subject(turn.user.id))
        if record is None:
            await self._no_token(turn, profile, node_id)
            return None
        turn.auth_facts[profile.name] = record.facts
        turn.tokens_used[profile.name] = record.access_token
        return {"Authorization": f"{record.token_type or 'Bearer'} {record.access_token}"}

    async def on_unauthorized(self, turn: Turn, profile_name: str, node_id: str) -> bool:
        profile = self._profile(turn, profile_name)
        subject = profile.subject(turn.user.id)
        used = turn.tokens_used.get(profile.name)
        async with self.store.lock(f"refresh:{profile.name}:{subject}"):
            record = await self.tokens.get(profile.name, subject)
            if record is not None and record.access_token != used:
                return True  # another turn refreshed while this one waited
            if record is not None and record.refresh_token:
                try:
                    token = await self.oauth.refresh(profile, record.refresh_token)
                except OAuthFailure as exc:
                    if exc.transient:  # the grant may be good: keep it, fail this call only
                        log.warning("refresh of %r failed, token kept: %s", profile.name, exc)
                        raise ServiceError(f"the token could not be refreshed: {exc}") from exc
                    log.warning("refresh for profile %r refused: %s", profile.name, exc.code)
                else:
                    await self.tokens.put(profile.name, subject, _record(profile, token, record))
                    log.info("refreshed the token of profile %r", profile.name)
                    return True
            await self.tokens.delete(profile.name, subject)
        await self._no_token(turn, profile, node_id)
        return False

    # -- without a token -----------------------------------------------------------------------

    async def _no_token(self, turn: Turn, profile: Profile, node_id: str) -> None:
        if profile.mode == PRE_AUTHORIZED:
            raise DialogStopped(
                f"auth profile {profile.name!r} has no token for the bot: run "
                f"`parley integrations authorize {profile.name}`",
                f"Sorry, I'm not connected to {profile.provider} yet. "
                "Please ask an administrator to connect it.",
            )
        link = await self.link(
            profile,
            user_id=turn.user.id,
            channel=turn.user.channel,
            session=turn.state.session,
            node=node_id,
        )
        parked = Parked(
            profile=profile.name,
            provider=profile.provider,
            link=link,
            until=round(time.time() + self.states.ttl, 3),
        )
        turn.state.status, turn.state.parked = Status.PARKED, parked
        await turn.emit(parked.auth_link(FIRST_ASK.format(provider=profile.provider)))

    async def link(
        self, profile: Profile, *, user_id: str, channel: str, session: str, node: str
    ) -> str:
        missing = profile.missing()
        if missing:
            raise DialogStopped(
                f"auth profile {profile.name!r} is missing {', '.join(missing)}",
                f"Sorry, the connection to {profile.provider} is not set up yet.",
            )
        pending = await self.states.issue(
            user_id=user_id, channel=channel, session=session, profile=profile.name, node=node
        )
        return self.oauth.authorization_url(profile, pending.state, pending.verifier)

    def _profile(self, turn: Turn, name: str) -> Profile:
        try:
            return self.profiles[name]
        except KeyError:
            raise DialogStopped(
                f"auth profile {name!r} is not configured",
                "Sorry, I'm not connected to that service.",
            ) from None

    # -- the callback --------------------------------------------------------------------------

    async def redeem(
        self,
        *,
        state: str,
        code: str | None,
        error: str | None,
        presenter: str | None = None,
    ) -> Verdict:
        """Validate a callback and, when it carries a code, exchange and store the tokens.

        `presenter`, the user whose browser presents the callback when known, must be the
        link's owner; another user is refused without using up the link."""
        status, pending = await self.states.redeem(state, presenter=presenter)
        if status == Redeem.WRONG_USER:  # the link was left for its owner
            log.warning("an authorization link of another user was presented; refused")
            return Verdict(Outcome.WRONG_USER)
        if status == Redeem.UNKNOWN:
            return Verdict(Outcome.UNKNOWN)
        if status == Redeem.USED:
            again = presenter is not None and await self.states.connected_for(state, presenter)
            return Verdict(Outcome.USED, connected_before=again)
        assert pending is not None
        if status == Redeem.EXPIRED:
            return Verdict(Outcome.EXPIRED, pending)
        if error or not code:
            outcome = Outcome.DENIED if error == "access_denied" else Outcome.FAILED
            return Verdict(outcome, pending)
        profile = self.profiles.get(pending.profile)
        if profile is None:
            return Verdict(Outcome.FAILED, pending)
        try:
            token = await self.oauth.exchange(profile, code, pending.verifier)
        except OAuthFailure as exc:
            log.warning("code exchange for profile %r failed: %s", profile.name, exc.code)
            return Verdict(Outcome.FAILED, pending)
        record = _record(profile, token)
        if profile.verify is not None:
            refusal = await profile.verify(profile, record.facts, record.access_token, self.http)
            if refusal:
                log.warning(
                    "profile %r: the authorized account was refused: %s", profile.name, refusal
                )
                return Verdict(Outcome.REFUSED, pending, refusal)
        await self.tokens.put(profile.name, profile.subject(pending.user_id), record)
        await self.states.connected(state, pending.user_id)
        return Verdict(Outcome.CONNECTED, pending)

    def failure_text(self, verdict: Verdict) -> str:
        if verdict.detail:
            return verdict.detail
        provider = "the"
        if verdict.pending and verdict.pending.profile in self.profiles:
            provider = self.profiles[verdict.pending.profile].provider
        template = CHAT_TEXT.get(verdict.outcome, CHAT_TEXT[Outcome.FAILED])
        return template.format(provider=provider)


def _record(profile: Profile, token: dict[str, Any], old: TokenRecord | None = None) -> TokenRecord:
    facts = profile.facts(token) if profile.facts else _generic_facts(token)
    return TokenRecord(
        access_token=token["access_token"],
        refresh_token=token.get("refresh_token") or (old.refresh_token if old else None),
        token_type=str(token.get("token_type") or "Bearer").capitalize(),
        facts=facts,
    )


def _generic_facts(token: dict[str, Any]) -> dict[str, Any]:
    return {k: token[k] for k in ("scope", "instance_url", "id") if k in token}
