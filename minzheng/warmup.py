"""Start-up warm-up (启动预热): what the first request of a fresh web worker would otherwise pay for, done before the
worker accepts requests — importing the URLconf (every app's urls, views, serializers and the API's schema
decorators), building the reverse-URL map the navigation reads on every page, and compiling the base templates and
the cockpit's (the cached template loader keeps them).

Measured with bench/cockpit.py: these were most of the cockpit's first request (1.7 s against 0.19 s warm on
the 300,000-enrolment database), the data part of that request being a handful of indexed reads. Called by
minzheng.wsgi and minzheng.asgi (each gunicorn/uvicorn worker imports them once, before serving), never by tests.
"""

from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import get_resolver

# The pages a leader or a clerk opens first; the layout they extend is compiled with them.
TEMPLATES = ["web/base.html", "indicators/cockpit.html", "indicators/indicator.html", "web/home.html"]


def warm_up() -> None:
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 — imports every included urls module and its views
    resolver.reverse_dict  # noqa: B018 — builds the reverse map (the navigation's reverse())
    for name in TEMPLATES:
        try:
            get_template(name)
        except TemplateDoesNotExist:
            continue
