"""Admin of application records: read-only; they are written by assistance.services only."""

from django.contrib import admin

from assistance.models import Application, Evaluation, Investigation, Verification
from casework.admin import ReadOnlyAdmin


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["case", "authorised_data_check", "monthly_amount", "extended", "advance_approved_on"]
    list_filter = ["authorised_data_check", "extended"]
    raw_id_fields = ["case"]


@admin.register(Investigation)
class InvestigationAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "visited_on", "method", "district_investigation"]


@admin.register(Verification)
class VerificationAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "checked_on", "result"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["id", "case", "held_on", "result", "participants"]
