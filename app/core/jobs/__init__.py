"""Durable background jobs on PostgreSQL (procrastinate): the platform side.

- `job_app.job_app`: the procrastinate app every job is declared on (`@job_app.task`);
  imported by the worker and the task modules only.
- `queue.enqueue(session, kind, **args)`: the one way to enqueue; it joins the session's
  transaction, so a rolled-back change leaves no job and a committed one never loses it.
  A job is named by its `queue.JobKind`, so the API never imports procrastinate.
- `backoff.ExponentialBackoff`: retries with exponential waits, then the dead letter
  (`failed`); `dead_letter` lists and re-queues those.
- `worker.run_worker`: the worker process (`python -m app.cli.worker`).
- `resources.job_resources()`: what a running job uses (settings, sessions, HTTP client).

Nothing here imports the domain: the domain declares its jobs (app/jobs.py).
"""
