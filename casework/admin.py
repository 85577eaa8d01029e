"""Admin of cases: read-only views for support staff. Every change goes through the services (history, rules)."""

from django.contrib import admin

from casework.models import (
    Case,
    CaseDeadline,
    CaseDocument,
    CaseStep,
    CloseRelativeDeclaration,
    DocumentNumber,
    DocumentSeries,
    Objection,
    PublicNotice,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StepInline(admin.TabularInline):
    model = CaseStep
    extra = 0
    fields = ["at", "action", "from_state", "to_state", "user", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class DeadlineInline(StepInline):
    model = CaseDeadline
    fields = ["kind", "label", "due", "provisional", "closed_at", "basis"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["id", "workflow", "state", "area", "accepted_on", "next_due", "deadline_provisional",
                    "close_relative_filed"]
    list_filter = ["state", "workflow", "deadline_provisional", "close_relative_filed"]
    search_fields = ["=id", "=household__id", "applicant__name"]
    raw_id_fields = ["household", "person", "applicant", "enrolment"]
    inlines = [DeadlineInline, StepInline]


@admin.register(CloseRelativeDeclaration)
class CloseRelativeDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["id", "staff", "committee_member_name", "relative", "relation", "is_active", "declared_at"]
    list_filter = ["is_active", "relation"]
    raw_id_fields = ["relative"]


for model in (CaseDocument, PublicNotice, Objection):
    admin.site.register(model, ReadOnlyAdmin)


@admin.register(DocumentSeries)
class DocumentSeriesAdmin(admin.ModelAdmin):
    """文号格式 per district and document kind: set by the bureau's office; numbers already given never change."""

    list_display = ["district", "kind", "template"]


@admin.register(DocumentNumber)
class DocumentNumberAdmin(ReadOnlyAdmin):
    list_display = ["text", "kind", "year", "seq", "case", "issued_at"]
    list_filter = ["kind", "year"]
