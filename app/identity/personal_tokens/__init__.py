"""Personal access tokens: long-lived, scoped, revocable credentials for scripts and services."""
