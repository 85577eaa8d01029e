"""Test URLconf: the import pages at `imports/` as the project includes them, plus what the base layout links."""

from django.http import HttpResponse
from django.urls import include, path

urlpatterns = [
    path("", lambda request: HttpResponse("首页"), name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("imports/", include("imports.urls")),
]
