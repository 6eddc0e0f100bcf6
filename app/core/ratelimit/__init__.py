"""General rate limiting: fixed windows counted in PostgreSQL, shared by every worker.

- `counter`: the table and the one upsert that counts a request and returns the count.
- `policy`: limits from settings, and the IETF RateLimit header fields.
- `limiter`: `enforce()`, called by a route dependency with the caller's key; 429 beyond.
- `openapi`: declares the 429 (and its headers) on every operation that is limited.
"""
