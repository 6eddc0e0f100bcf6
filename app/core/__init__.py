"""The platform: everything a service built from this template needs, and no feature.

One package per concern, each with its public names in `__init__` (`__all__`) and its
internals in `_private` modules that only the package itself imports:

- `config`: settings from the environment.
- `db`: engine, pool, sessions, driver reads, start-up checks, outage log.
- `errors`: RFC 9457 problems and every error handler.
- `edge`: what every request meets first (request id, guards, security headers, access
  line), route mounting, the OpenAPI adjustments and docs pages, the Gunicorn worker.
- `observability`: logging, metrics, health, tracing.
- `schemas`: building blocks of request and response models.
- `auth`: tokens, passwords, roles (the users themselves are app/identity's).
- `jobs`, `outbound_http`, `webhooks`, `streams`, `ratelimit`, `versioning`.

Three small modules sit at the top: `request_id` (the current request's id) and `text`
(text PostgreSQL can store), which import nothing of the platform and which every package
may use, and `mail` (the SMTP sender), which needs only `config`.

The platform imports no feature (app/features.py lists them).
"""
