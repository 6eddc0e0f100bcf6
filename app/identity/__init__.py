"""Identity: accounts, sign-in sessions, roles, mailed links and the audit log.

Kept by `make adopt`: every service built from this template has users. Nothing here
imports the Conduit reference domain (app/conduit) or the integrations.
"""
