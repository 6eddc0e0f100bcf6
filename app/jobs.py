"""Every job the worker runs: importing these modules declares their tasks on `job_app`.

The platform (app/core/jobs/) knows nothing of them; the worker command imports this.
"""

JOB_MODULES: tuple[str, ...] = ("app.services.webhook_jobs",)
