"""Logging for every process: `text` for a person at a terminal, `json` (LOG_FORMAT=json) for a
log collector, one object a line. Either way, each line inside a request carries its request id.

What is logged names routes, ids and counts, never a person: no email address, name, client
address or raw path (a path can hold a search or a token). Requests are logged by
`community.access` (method, route name, status, duration), not by uvicorn's access log.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

#: the request being served by this task: its id, and its route's name once routed
request_id: ContextVar[str] = ContextVar("request_id", default="")

#: a request's own line (route, status, duration), in place of uvicorn's
ACCESS_LOGGER = "community.access"

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
#: the extra fields a record may carry, copied into its JSON object
_FIELDS = ("route", "method", "status", "duration_ms")


class _RequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, and the request's
    route, method, status and duration_ms when the record has them."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        current = getattr(record, "request_id", None) or request_id.get()
        if current and current != "-":
            line["request_id"] = current
        for name in _FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(log_format: str = "text", level: int = logging.INFO) -> None:
    """Send every logger (uvicorn's too) through one handler on standard error, in the format
    chosen. Called by each entry point once; calling it again replaces the handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestId())
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.propagate = True
    # one line a request, ours (route name, status, duration), not uvicorn's (the client
    # address and the raw path, query string and all)
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per run is noise
