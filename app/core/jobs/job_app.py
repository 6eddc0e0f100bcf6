"""What a module that declares tasks uses: the procrastinate app, retries, resources.

Imported by the worker and by the modules that declare tasks, never by the API processes:
procrastinate and psycopg cost each API worker ~12 MB of memory for nothing, since the
API only writes job rows (`app.core.jobs.enqueue`) and never runs one.
"""

from procrastinate import App, PsycopgConnector

from app.core.jobs._backoff import EXPONENTIAL_BACKOFF
from app.core.jobs._resources import JobResources, job_resources

# Connected only in the worker (worker.run_worker gives it its pool); tasks are declared on it.
job_app = App(connector=PsycopgConnector())

__all__ = ["EXPONENTIAL_BACKOFF", "JobResources", "job_app", "job_resources"]
