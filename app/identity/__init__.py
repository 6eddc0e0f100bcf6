"""Identity: accounts, sign-in sessions, roles, mailed links and the audit log.

Kept by `make adopt`: every service built from this template has users. Nothing here
imports the reference domain or the integrations (tests/repo/test_layout.py).
"""
