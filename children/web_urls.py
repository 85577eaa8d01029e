"""Page URLs of children's welfare (儿童福利页面), mounted at /children/ by web/urls.py. Names are stable."""

from django.urls import path

from children import views

urlpatterns = [
    path("", views.child_list, name="children-list"),
    path("<int:pk>/", views.child_detail, name="children-detail"),
    path("network/", views.coverage, name="children-coverage"),
    path("adoptions/", views.adoption_list, name="children-adoptions"),
    path("adoptions/<int:pk>/certificate.pdf", views.adoption_certificate, name="children-adoption-certificate"),
]
