"""Page URLs of programmes (项目页面), mounted at /programs/ by web/urls.py. Names are stable."""

from django.urls import path

from programs import views

urlpatterns = [
    path("rerates/", views.rerate_list, name="rerate-list"),
    path("rerates/<int:pk>/confirm/", views.rerate_confirm_page, name="rerate-confirm"),
]
