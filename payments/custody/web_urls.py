"""Page URLs of 卡折代管, mounted at /payments/ by web/urls.py. Names are stable."""

from django.urls import path

from payments.custody import views

urlpatterns = [
    path("custody/", views.custody_list, name="custody-list"),
    path("custody/xlsx/", views.custody_export, name="custody-export"),
    path("custody/<int:pk>/", views.custody_detail, name="custody-detail"),
    path("custody/<int:pk>/agreement/", views.agreement_download, name="custody-agreement"),
    path("persons/<int:pk>/custody/new/", views.custody_start, name="custody-start"),
]
