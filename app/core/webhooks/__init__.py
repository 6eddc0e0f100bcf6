"""Outgoing webhooks, the platform side: signatures, the SSRF guard, the pinned POST.

The domain (app/services/webhook_*.py) decides who receives what; this package only knows
URLs, bytes and secrets.
"""
