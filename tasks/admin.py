from django.contrib import admin

from tasks.models import Task, TaskEvent


class TaskEventInline(admin.TabularInline):
    model = TaskEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "message", "by", "at"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "title", "area", "assigned_area", "handling_level", "deadline", "status"]
    list_filter = ["kind", "status", "handling_level"]
    readonly_fields = [f.name for f in Task._meta.fields]
    inlines = [TaskEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
