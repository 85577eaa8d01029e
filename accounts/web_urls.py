"""Interface-client pages; the project includes these at `clients/`."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.client_list, name="api-client-list"),
    path("<int:pk>/revoke/", views.client_revoke, name="api-client-revoke"),
    path("<int:pk>/tokens/<int:token_pk>/revoke/", views.client_token_revoke, name="api-client-token-revoke"),
]
