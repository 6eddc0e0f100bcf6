"""One log line when the database becomes unreachable, one when it is back (per process).

Requests failed by an outage report it (app/core/errors/_outage.py). A request whose
statements then succeed proves the database back (`get_session` reports it): not a pool
checkout, which behind PgBouncer succeeds while PostgreSQL is down.
"""

import logging
import time
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass
class OutageLog:
    """The current episode of this process: when it began and how many requests it failed."""

    started_at: float | None = None
    failed_requests: int = 0

    def request_failed(self, error: BaseException) -> None:
        if self.started_at is None:
            self.started_at = time.monotonic()
            self.failed_requests = 0
            logger.error(
                "database unreachable (%s: %s); requests that need it answer 503 until it is back",
                type(error).__name__,
                error,
            )
        self.failed_requests += 1

    def reached(self) -> None:
        if self.started_at is None:
            return
        logger.warning(
            "database reachable again after %.1f s; %d requests answered 503 meanwhile",
            time.monotonic() - self.started_at,
            self.failed_requests,
        )
        self.started_at = None


outage_log = OutageLog()
