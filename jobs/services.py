"""Job actions: create and enqueue on commit, claim, report progress, finish.

A job kind maps to a handler `fn(job) -> dict` registered with `@job_handler("kind")`; the Celery task
only claims the job and calls the handler, so the same code runs in a worker or in-process.
"""

from collections.abc import Callable

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils import timezone

from jobs.models import Job

_HANDLERS: dict[str, Callable[[Job], dict]] = {}


def job_handler(kind: str):
    def register(fn: Callable[[Job], dict]):
        _HANDLERS[kind] = fn
        return fn

    return register


def job_start(*, kind: str, params: dict, acting_user=None) -> Job:
    """Create the job and enqueue it once the surrounding transaction commits."""
    from jobs.tasks import run_job

    job = Job.objects.create(kind=kind, params=params, created_by=acting_user)
    transaction.on_commit(lambda: run_job.delay(job.pk, kind=kind))  # the kind picks the queue
    return job


def job_claim(job_id: int) -> bool:
    """PENDING → RUNNING by a conditional update; False if someone else has it or it is finished."""
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.PENDING).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    return claimed == 1


def job_progress(job: Job, *, done: int, total: int | None = None, message: str = "") -> None:
    """Record progress in its own short write so a polling page sees it while the job runs."""
    fields: dict = {"progress_done": done}
    if total is not None:
        fields["progress_total"] = total
    if message:
        fields["log"] = Concat(F("log"), Value(f"{timezone.localtime():%H:%M:%S} {message}\n"))
    Job.objects.filter(pk=job.pk).update(**fields)


def job_run(job_id: int) -> None:
    """Claim and run a job; any failure is recorded on the job, never swallowed."""
    if not job_claim(job_id):
        return
    job = Job.objects.get(pk=job_id)
    try:
        result = _HANDLERS[job.kind](job)
    except Exception as exc:  # recorded for the user; the handler's own transaction has rolled back
        Job.objects.filter(pk=job_id).update(status=Job.Status.FAILED, error=f"{type(exc).__name__}: {exc}",
                                             finished_at=timezone.now())
        raise
    Job.objects.filter(pk=job_id).update(status=Job.Status.DONE, result=result or {}, finished_at=timezone.now())


def job_retry(job: Job) -> Job:
    """Put a failed job back in the queue (jobs are idempotent, so a re-run is safe)."""
    from jobs.tasks import run_job

    if Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(status=Job.Status.PENDING, error=""):
        transaction.on_commit(lambda: run_job.delay(job.pk, kind=job.kind))
    job.refresh_from_db()
    return job
