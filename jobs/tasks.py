"""Celery tasks: thin — they hand the job id to the service."""

from celery import shared_task


@shared_task(name="jobs.run_job")
def run_job(job_id: int, kind: str = "") -> None:
    """`kind` is only for routing: the task router sends the job to its kind's queue (settings.CELERY_QUEUE_OF)."""
    from jobs.services import job_run

    try:
        job_run(job_id)
    except Exception:
        # The failure is on the Job record; re-raising would only make eager mode blow up the request.
        return
