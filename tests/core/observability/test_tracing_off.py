"""Tracing off (the default): nothing of it is loaded, and requests meet nothing of it."""

import json
import os
import textwrap

from tests.support.probes import last_line_printed

_PROBE = textwrap.dedent(
    """
    import json, logging, sys
    from app.main import app
    from app.core import request_id
    print(json.dumps({
        "modules": sorted(sys.modules),
        "middleware": [m.cls.__name__ for m in app.user_middleware],
        "tracing": app.state.tracing is not None,
        "trace_id_source": request_id.trace_id_source is not None,
        "record_factory": logging.getLogRecordFactory() is logging.LogRecord,
    }))
    """
)


def test_with_tracing_off_no_opentelemetry_sdk_or_instrumentation_is_imported() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("OTEL_")}
    found = json.loads(last_line_printed(_PROBE, env))

    # FastAPI itself imports the OpenTelemetry *API* (its native telemetry, switched off in
    # app/main.py); the SDK, the exporter and the instrumentations are ours, and stay out.
    loaded = [
        name
        for name in found["modules"]
        if name.startswith(("opentelemetry.sdk", "opentelemetry.exporter"))
        or name.startswith(("opentelemetry.instrumentation", "app.core.observability.tracing"))
        or name in {"wrapt", "google.protobuf"}
    ]
    assert loaded == []
    assert "TracingMiddleware" not in found["middleware"]
    assert found["middleware"][0] == "EdgeMiddleware"  # the edge is still the outermost
    assert found["tracing"] is False
    assert found["trace_id_source"] is False
    assert found["record_factory"] is True
