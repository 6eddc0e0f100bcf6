"""Passkeys (WebAuthn): sign in with a key the device holds, no password, nothing to phish."""
