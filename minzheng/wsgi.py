"""
WSGI config for minzheng project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'minzheng.settings')

application = get_wsgi_application()

# Before the worker serves its first request (minzheng/warmup.py).
from minzheng.warmup import warm_up  # noqa: E402

warm_up()
