"""A URLconf for the error-page tests: views that fail the ways a real view can."""

from django.core.exceptions import PermissionDenied
from django.urls import path


def boom(request):
    raise RuntimeError("internal detail: password=hunter2 at /srv/minzheng/secret.py")


def forbidden(request):
    raise PermissionDenied("无导出权限")


urlpatterns = [path("boom/", boom), path("forbidden/", forbidden)]
