from django.contrib import admin
from django.urls import include, path

from web.views import ops

urlpatterns = [
    # Operations: the load balancer's health check and the root favicon (no login, no personal data).
    path("healthz", ops.healthz, name="healthz"),
    path("favicon.ico", ops.favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("", include("web.urls")),
]
