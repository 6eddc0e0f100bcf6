"""Integrations with other systems: outgoing webhooks (kept by `make adopt`, optional)."""
