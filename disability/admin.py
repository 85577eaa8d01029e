"""Admin: 精康融合 sites are configuration (kept here); participants, sessions and device applications are read-only
(they are written through the services and the person page, with the change log)."""

from django.contrib import admin

from disability.models import DeviceApplication, RehabParticipant, RehabSession, RehabSite


@admin.register(RehabSite)
class RehabSiteAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "operator", "active"]
    list_filter = ["active"]
    search_fields = ["name"]


@admin.register(RehabParticipant)
class RehabParticipantAdmin(admin.ModelAdmin):
    list_display = ["id", "site", "area", "joined_on", "left_on"]
    readonly_fields = [f.name for f in RehabParticipant._meta.fields]


@admin.register(RehabSession)
class RehabSessionAdmin(admin.ModelAdmin):
    list_display = ["id", "participant", "held_on", "activity", "attended"]
    readonly_fields = [f.name for f in RehabSession._meta.fields]


@admin.register(DeviceApplication)
class DeviceApplicationAdmin(admin.ModelAdmin):
    list_display = ["id", "device", "area", "status", "applied_on"]
    list_filter = ["status", "fukang"]
    readonly_fields = [f.name for f in DeviceApplication._meta.fields]
