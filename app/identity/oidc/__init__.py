"""Sign-in with an OpenID Connect provider: authorization code with PKCE, state and nonce,
the ID token verified against the provider's keys."""
