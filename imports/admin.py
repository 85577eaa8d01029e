from django.contrib import admin

from imports.models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Read-only: batches change only through the import services (pages, API, jobs)."""

    list_display = ("id", "schema", "original_filename", "status", "mode", "total_rows", "good_rows", "bad_rows",
                    "committed_rows", "skipped_existing", "area", "created_by", "created_at")
    list_filter = ("schema", "status")
    exclude = ("file",)  # the uploaded file is read only by the import pipeline and the logged error sheet

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
