"""Two-factor sign-in: TOTP codes (RFC 6238) and one-time recovery codes (docs/auth.md)."""
