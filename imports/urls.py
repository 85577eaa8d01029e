"""Import pages; the project includes these at `imports/`."""

from django.urls import path

from imports import views

urlpatterns = [
    path("", views.batch_list, name="import-list"),
    path("upload/", views.batch_upload, name="import-upload"),
    path("template/", views.template_download, name="import-template"),
    path("<int:pk>/", views.batch_detail, name="import-detail"),
    path("<int:pk>/status/", views.batch_detail, {"partial": True}, name="import-status"),
    path("<int:pk>/errors/", views.batch_errors, name="import-errors"),
    path("<int:pk>/commit/", views.batch_commit, name="import-commit"),
    path("<int:pk>/discard/", views.batch_discard, name="import-discard"),
]
