from django.contrib import admin

from monitoring.models import FeedBatch, MatchReview, Rule, RuleFailure, Warning


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "feed_type", "warning_type", "severity", "handling_level", "active"]
    list_filter = ["feed_type", "warning_type", "active"]


@admin.register(FeedBatch)
class FeedBatchAdmin(admin.ModelAdmin):
    list_display = ["id", "feed_type", "department", "period", "status", "records_kept", "non_residents"]
    readonly_fields = [f.name for f in FeedBatch._meta.fields]


@admin.register(Warning)
class WarningAdmin(admin.ModelAdmin):
    list_display = ["id", "rule", "warning_type", "severity", "area", "status"]
    list_filter = ["warning_type", "status"]
    readonly_fields = [f.name for f in Warning._meta.fields]


@admin.register(RuleFailure)
class RuleFailureAdmin(admin.ModelAdmin):
    list_display = ["id", "rule", "batch", "resolved", "created_at"]


@admin.register(MatchReview)
class MatchReviewAdmin(admin.ModelAdmin):
    list_display = ["id", "feed_type", "name", "status"]
    exclude = ["id_number_given"]  # the number as the department sent it: a full ID number
    readonly_fields = [f.name for f in MatchReview._meta.fields if f.name != "id_number_given"]
