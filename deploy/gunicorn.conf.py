"""gunicorn settings for Minzheng (`make serve`, deploy/minzheng-web.service). Each can be overridden on the
command line or with GUNICORN_CMD_ARGS."""

import multiprocessing
import os

# Bind to loopback: nginx (or the bureau's load balancer) terminates TLS in front and forwards X-Forwarded-Proto.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: the pages are short database-bound requests; long work runs in Celery. 2×cores + 1 is gunicorn's
# own rule of thumb.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# An import upload or a large export can take a while; anything longer belongs in a job.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak in a library cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Only the proxy on this host may set X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# The access log records method, path and status, not the query string: searches carry names and ID numbers.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
