"""Page URLs of 探访关爱, mounted at /carevisits/ by web/urls.py. Names are stable."""

from django.urls import path

from carevisits import views

urlpatterns = [
    path("", views.compliance_page, name="carevisits-compliance"),
    path("roster/", views.roster_list, name="carevisits-roster"),
    path("not-reached/", views.not_reached_list, name="carevisits-not-reached"),
    path("roster/add/", views.roster_add, name="carevisits-add"),
    path("roster/<int:pk>/", views.entry_visit, name="carevisits-visit"),
]
