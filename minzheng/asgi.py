"""
ASGI config for minzheng project.

It exposes the ASGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/asgi/
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'minzheng.settings')

application = get_asgi_application()

# Before the worker serves its first request (minzheng/warmup.py).
from minzheng.warmup import warm_up  # noqa: E402

warm_up()
