from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import Grant, Role, User


class GrantInline(admin.TabularInline):
    model = Grant
    extra = 0


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    inlines = [GrantInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "area", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (("民政", {"fields": ("area", "roles")}),)
    filter_horizontal = ("roles", "groups", "user_permissions")
