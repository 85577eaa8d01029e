"""Page URLs of dynamic monitoring (动态监测预警页面), mounted at /monitoring/ by web/urls.py. Names are stable."""

from django.urls import path

from monitoring import views

urlpatterns = [
    path("", views.warning_list, name="monitoring-warnings"),
    path("feeds/", views.feed_list, name="monitoring-feeds"),
    path("rules/", views.rule_list, name="monitoring-rules"),
    path("rules/<int:pk>/toggle/", views.rule_toggle, name="monitoring-rule-toggle"),
    path("reviews/", views.review_list, name="monitoring-reviews"),
    path("households/<int:pk>/chain/", views.household_chain, name="monitoring-household-chain"),
]
