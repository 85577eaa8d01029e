"""Pages of the cockpit (数字驾驶舱); included under /cockpit/ by web/urls.py."""

from django.urls import path, re_path

from indicators import views

urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("refresh/", views.cockpit_refresh, name="cockpit-refresh"),
    path("statistics/", views.statistics_page, name="statistics"),
    re_path(r"^statistics/(?P<kind>monthly|quarterly)/xlsx/$", views.statistics_download, name="statistics-xlsx"),
    re_path(r"^indicators/(?P<code>[a-z0-9_]{1,60})/$", views.indicator_page, name="indicator-detail"),
    re_path(r"^indicators/(?P<code>[a-z0-9_]{1,60})/xlsx/$", views.indicator_export, name="indicator-export"),
]
