"""Celery queues (任务队列): background work by kind, so each kind gets its own workers and one cannot starve another
(a district's monthly payroll does not wait behind a 2-million-row department file).

- imports — 数据导入: validating and committing uploaded files (`import.*` jobs);
- payroll — 资金发放: payroll generation (`payments.*` jobs) and opening the month's cycle;
- rules   — 比对预警: department feeds matched and the warning rules run (`monitoring.*` jobs), and the scheduled
            checks that raise warnings or enrol (免申即享, 全覆盖核查, 水表告警, 儿童到龄);
- default — everything else (escalations, re-checks, indicator snapshots, partitions).

The map is settings.CELERY_QUEUE_OF (a job kind or task name, or a prefix of one, → queue); Celery asks `route`
(settings.CELERY_TASK_ROUTES) for each task sent. A job (`jobs.run_job`) is routed by its kind, which
`jobs.services.job_start` sends along.
"""

from django.conf import settings


def queues() -> list[str]:
    """The declared queues (settings.CELERY_TASK_QUEUES)."""
    return [queue.name for queue in settings.CELERY_TASK_QUEUES]


def queue_for(key: str) -> str:
    """The queue of a job kind or task name: its entry in CELERY_QUEUE_OF, or its longest prefix's, or default."""
    table = settings.CELERY_QUEUE_OF
    matches = [prefix for prefix in table if key == prefix or (prefix.endswith(".") and key.startswith(prefix))]
    return table[max(matches, key=len)] if matches else settings.CELERY_TASK_DEFAULT_QUEUE


def route(name, args, kwargs, options, task=None, **kw) -> dict:
    """Celery task router: {"queue": …} for every task sent."""
    key = ((kwargs or {}).get("kind") or name) if name == "jobs.run_job" else name
    return {"queue": queue_for(key)}
