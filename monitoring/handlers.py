"""Job handler (后台任务) of a feed file: thin — find the batch, advance it, re-queue if it is busy."""

from jobs.models import Job
from jobs.services import job_handler
from monitoring.models import FeedBatch
from monitoring.services import FEED_RUN, NotReady, feed_batch_process, feed_job_requeue


@job_handler(FEED_RUN)
def feed_run_job(job: Job) -> dict:
    feed_batch = FeedBatch.objects.select_related("created_by").get(pk=job.params["feed_batch_id"])
    try:
        return feed_batch_process(feed_batch=feed_batch, job=job)
    except NotReady:
        again = feed_job_requeue(job)
        return {"status": "waiting", "next_job": again.pk}
