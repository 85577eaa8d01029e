"""Routes of the indicators API; included under /api/ by api/urls.py. A contract."""

from django.urls import path, re_path

from indicators import api

urlpatterns = [
    path("indicators/", api.IndicatorListView.as_view(), name="indicator-list"),
    re_path(r"^indicators/(?P<code>[a-z0-9_]{1,60})/values/$", api.IndicatorValuesView.as_view(),
            name="indicator-values"),
]
