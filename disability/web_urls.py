"""Page URLs of disability welfare (残疾人福利页面), mounted at /disability/ by web/urls.py. Names are stable."""

from django.urls import path

from disability import views

urlpatterns = [
    path("coverage/", views.coverage_page, name="disability-coverage"),
    path("persons/<int:pk>/", views.person_page, name="disability-person"),
    path("persons/<int:pk>/rehab/", views.participant_add, name="disability-participant-add"),
    path("persons/<int:pk>/sessions/", views.session_add, name="disability-session-add"),
    path("persons/<int:pk>/devices/", views.device_add, name="disability-device-add"),
]
