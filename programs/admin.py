"""Admin: programmes are configuration; parameters and enrolments are read-only here because every change to
them must go through the services, which keep the history (policy_parameter_set, enrolment_*)."""

from django.contrib import admin

from programs.models import AmountTier, Enrolment, EnrolmentChange, PolicyParameter, Program, Rerate


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "unit", "workflow", "eligibility", "calculator", "recurring", "active",
                    "monthly_payment_day")
    list_filter = ("unit", "active", "workflow")
    filter_horizontal = ("excludes",)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PolicyParameter)
class PolicyParameterAdmin(ReadOnlyAdmin):
    list_display = ("program", "key", "area_code", "value", "valid_from", "valid_to", "source", "verified")
    list_filter = ("program", "key", "verified")


class EnrolmentChangeInline(admin.TabularInline):
    model = EnrolmentChange
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "from_amount", "to_amount", "from_status", "to_status", "reason", "effective_month",
                       "by", "at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = ("id", "program", "household", "person", "area", "status", "monthly_amount", "start_month",
                    "end_month")
    list_filter = ("program", "status")
    raw_id_fields = ("household", "person", "area")
    inlines = [EnrolmentChangeInline]


@admin.register(Rerate)
class RerateAdmin(ReadOnlyAdmin):
    """调整待遇: read-only; confirmed on the 调整待遇 page or `POST /api/rerates/{id}/confirm/` (rerate_confirm)."""

    list_display = ("id", "program", "cause", "valid_from", "status", "enrolments", "monthly_difference",
                    "created_by", "confirmed_by", "applied_at")
    list_filter = ("program", "cause", "status")


@admin.register(AmountTier)
class AmountTierAdmin(ReadOnlyAdmin):
    """分档补助标准: read-only; set through programs.tiers.amount_tiers_set, which keeps the history."""

    list_display = ("program", "area_code", "income_from", "income_to", "amount", "valid_from", "valid_to", "source",
                    "verified")
    list_filter = ("program", "verified")
