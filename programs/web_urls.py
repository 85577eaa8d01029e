"""Page URLs of programmes (项目页面), mounted at /programs/ by web/urls.py. Names are stable."""

from django.urls import path

from programs import tier_views, views

urlpatterns = [
    path("rerates/", views.rerate_list, name="rerate-list"),
    path("rerates/<int:pk>/confirm/", views.rerate_confirm_page, name="rerate-confirm"),
    # 分档救助金额: tiers in force per programme and area, their history, a new set (programs.tiers)
    path("tiers/", tier_views.tier_page, name="tier-list"),
]
