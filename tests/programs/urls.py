"""Test URLconf: the programme routes under /api/, as the project will include them."""

from django.urls import include, path

urlpatterns = [path("api/", include("programs.urls"))]
