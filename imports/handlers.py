"""Job handlers (后台任务) of the import: thin — find the batch, call the pipeline."""

from imports.models import ImportBatch
from imports.pipeline import batch_commit, batch_validate
from jobs.models import Job
from jobs.services import job_handler


@job_handler("import.validate")
def validate_job(job: Job) -> dict:
    # the bytes are read from the storage by the pipeline (imports.pipeline.batch_content)
    batch = ImportBatch.objects.select_related("created_by").get(pk=job.params["batch_id"])
    return batch_validate(batch=batch, job=job)


@job_handler("import.commit")
def commit_job(job: Job) -> dict:
    batch = ImportBatch.objects.get(pk=job.params["batch_id"])
    return batch_commit(batch=batch, job=job, user=job.created_by or batch.created_by)
