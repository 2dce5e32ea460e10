"""Authorization inside conversations: OAuth 2.0 profiles, states, encrypted tokens, refresh."""
