"""Durable background jobs on PostgreSQL (procrastinate): the platform side.

- `queue.job_app`: the procrastinate app every job is declared on (`@job_app.task`).
- `queue.enqueue(session, task, **args)`: the one way to enqueue; it joins the session's
  transaction, so a rolled-back change leaves no job and a committed one never loses it.
- `backoff.ExponentialBackoff`: retries with exponential waits, then the dead letter
  (`failed`); `dead_letter` lists and re-queues those.
- `worker.run_worker`: the worker process (`python -m app.cli.worker`).
- `resources.job_resources()`: what a running job uses (settings, sessions, HTTP client).

Nothing here imports the domain: the domain declares its jobs (app/jobs.py).
"""
