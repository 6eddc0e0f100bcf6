"""Gunicorn settings for production: the container, `make serve` and the benchmark.

Every value can be overridden from the environment. Workers are Uvicorn workers, each
building its own connection pool in the app's lifespan after the fork (the app is not
preloaded, so nothing connects in the master).
"""

import os
from pathlib import Path
from typing import Any

from app.core.config import settings_or_exit
from app.core.observability import logging_config, retire_worker_metrics

# Validated here, in the master: a bad configuration stops before any worker forks, with
# one message listing every problem (exit status 1, no traceback).
settings = settings_or_exit()


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# One async worker per core: each serves many concurrent requests; more workers than
# cores only adds database connections and memory.
workers = _int("WEB_CONCURRENCY", os.cpu_count() or 1)
# The app reads this to check that every worker's pool fits the database's limit.
os.environ["WEB_CONCURRENCY"] = str(workers)

# Uvicorn's worker with limits on request heads (size, time); Gunicorn's own `limit_request_*`
# settings apply to its sync parser only, not to Uvicorn workers (app/core/edge/server_worker.py).
worker_class = "app.core.edge.server_worker.BoundedUvicornWorker"
bind = os.environ.get("BIND", "0.0.0.0:8000")  # all interfaces: inside the container
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then (jittered so they do not all restart at once).
max_requests = _int("GUNICORN_MAX_REQUESTS", 10_000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1_000)
# X-Forwarded-For/-Proto are believed only from these addresses or networks (comma-
# separated, e.g. the proxy's subnet). The client address they yield keys the login
# throttle: trust a range clients can reach and they pick their address (no throttling);
# leave the proxy out and every client shares its address (one lockout for all).
# README "Scaling out".
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Gunicorn 27 opens a control socket by default; this service does not use it.
control_socket_disable = True

# The app writes its own access log line per request (with the request id), so
# Gunicorn's is off; its error log goes through the app's JSON logging configuration.
accesslog = None
logconfig_dict = logging_config(settings)
loglevel = settings.log_level.lower()  # Gunicorn (and its Uvicorn workers) set it on their loggers


def child_exit(server: Any, worker: Any) -> None:
    """Fold a dead worker's Prometheus files: the directory stays one set per live worker."""
    if directory := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        retire_worker_metrics(Path(directory), worker.pid)
