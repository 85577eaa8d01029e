"""Celery application (后台任务). Tasks are thin: they call services and record progress on a Job."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.settings")

app = Celery("minzheng")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The scheduled tasks of CELERY_BEAT_SCHEDULE live together in minzheng/periodic.py: they call services of every
# app, and the project package is the one layer allowed to (the kernel app `jobs` may not import the domains).
app.autodiscover_tasks(["minzheng"], related_name="periodic")
