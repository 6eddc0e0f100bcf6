"""The procrastinate app every job is declared on (`@job_app.task`).

Imported by the worker and by the modules that declare tasks, never by the API processes:
procrastinate and psycopg cost each API worker ~12 MB of memory for nothing, since the
API only writes job rows (app/core/jobs/queue.py) and never runs one.
"""

from procrastinate import App, PsycopgConnector

# Connected only in the worker (worker.run_worker gives it its pool); tasks are declared on it.
job_app = App(connector=PsycopgConnector())
