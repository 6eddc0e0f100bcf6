"""Logging: JSON lines in production, readable lines in development.

Every record carries the current request id. Uvicorn, Gunicorn and SQLAlchemy loggers
propagate to the root handler so the whole process speaks one format.
"""

import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

from app.core.config import Settings
from app.core.request_id import current_request_id

# Attributes every LogRecord has; anything else was passed through `extra=`. Uvicorn's
# `color_message` (the message with ANSI colour codes, for its own console) is dropped too.
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "color_message",
}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id()
        return True


# One encoder for every line: json.dumps with options builds a new encoder per call.
_encode = json.JSONEncoder(ensure_ascii=False, default=str).encode


class JsonFormatter(logging.Formatter):
    """One JSON object per record; it runs for every request (the access line), so it
    formats the date part of the timestamp once a second."""

    _second = -1
    _second_text = ""

    def _timestamp(self, created: float) -> str:
        second = int(created)
        if second != self._second:
            self._second_text = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
            self._second = second
        return f"{self._second_text}.{int((created - second) * 1000):03d}+00:00"

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": self._timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        attributes = record.__dict__
        for key in attributes.keys() - _STANDARD_ATTRS:
            entry[key] = attributes[key]
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return _encode(entry)


# Control characters a client can put in a logged value (a `%0d%0a` in the path is
# decoded before the access line is written), shown escaped: one record, one line.
_ESCAPED = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F)} | {
    ord("\n"): "\\n",
    ord("\r"): "\\r",
    ord("\t"): "\\t",
}
CONSOLE_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(request_id)s] %(message)s"


class ConsoleFormatter(logging.Formatter):
    """Readable lines (development); a record's text cannot start a line of its own.

    Only the line itself is escaped: a traceback below it keeps its lines.
    """

    def __init__(self) -> None:
        super().__init__(CONSOLE_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        return super().formatMessage(record).translate(_ESCAPED)


def logging_config(settings: Settings) -> dict[str, Any]:
    """A `dictConfig` for the app; Gunicorn's config uses it too, so both agree."""
    log_format = settings.effective_log_format
    # DB_ECHO logs every statement through this configuration, not a handler of its own.
    sql_level = "INFO" if settings.db_echo else "WARNING"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "json": {"()": JsonFormatter},
            "console": {"()": ConsoleFormatter},
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["default"], "level": settings.log_level},
        "loggers": {
            # Routed to the root handler; uvicorn's own access log is replaced by ours.
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False},
            "gunicorn.error": {"handlers": [], "propagate": True},
            "sqlalchemy.engine": {"handlers": [], "propagate": True, "level": sql_level},
        },
    }


def configure_logging(settings: Settings) -> None:
    # Facts no format here prints: where each call was made from (a walk up the stack per
    # record), and thread and process names. Not collecting them makes every record cheaper.
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    logging._srcfile = None  # the switch the logging HOWTO documents for this
    logging.config.dictConfig(logging_config(settings))
