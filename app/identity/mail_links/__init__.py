"""Mailed one-time links: password reset and email verification."""
