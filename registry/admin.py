from django.contrib import admin

from registry.models import IncomeCategory


@admin.register(IncomeCategory)
class IncomeCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "source")
