"""The application with the probe routes, for tests that start a real server on it:
`APP_MODULE=tests.support.probe_app:app docker/start.sh` (tests/deploy/server.py)."""

from app.main import create_app
from tests.support.probe_routes import with_probe_routes

app = with_probe_routes(create_app())
PROBE_APP_MODULE = "tests.support.probe_app:app"
