from django.contrib import admin

from audit.masking import mask_text, masked
from audit.models import AccessLog, ChangeLog, DomainEvent


@admin.register(ChangeLog)
class ChangeLogAdmin(admin.ModelAdmin):
    """Read-only; the before/after values are shown with personal numbers masked (see audit.masking)."""

    list_display = ("time", "user", "source", "model", "object_id", "action")
    list_filter = ("source", "action", "model")
    exclude = ("before", "after", "object_repr")
    readonly_fields = ("object_repr_masked", "before_masked", "after_masked")

    @admin.display(description="对象")
    def object_repr_masked(self, obj) -> str:
        return mask_text(obj.object_repr or "")

    @admin.display(description="变更前")
    def before_masked(self, obj):
        return masked(obj.before)

    @admin.display(description="变更后")
    def after_masked(self, obj):
        return masked(obj.after)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ("time", "user", "kind", "person")
    list_filter = ("kind",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DomainEvent)
class DomainEventAdmin(admin.ModelAdmin):
    exclude = ("params",)
    readonly_fields = ("params_masked",)

    @admin.display(description="参数")
    def params_masked(self, obj):
        return masked(obj.params)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
