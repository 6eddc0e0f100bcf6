"""The worker's fan-out, built from the settings."""

import logging

from app.core.config import Settings
from app.core.streams._fanout import EventFanout

logger = logging.getLogger(__name__)


def event_fanout(settings: Settings, channels: tuple[str, ...]) -> EventFanout:
    if settings.db_pooler == "pgbouncer" and settings.db_listen_url is None:
        # LISTEN through a transaction-mode pooler registers on whichever server connection
        # the pooler lends, and notifications then go nowhere.
        logger.warning(
            "DB_POOLER=pgbouncer without DB_LISTEN_URL: live streams will listen through "
            "the pooler and miss events; set DB_LISTEN_URL to PostgreSQL itself"
        )
    return EventFanout(
        settings.listen_dsn,
        channels,
        max_subscribers=settings.stream_max_per_worker,
        max_per_client=settings.stream_max_per_client,
        retention_seconds=settings.stream_event_retention_seconds,
        application_name=f"{settings.app_name[:50]} listener",
    )
