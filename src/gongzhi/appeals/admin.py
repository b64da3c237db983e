from django.contrib import admin

from gongzhi.appeals.models import Appeal, AppealEvent, Category, SlaPolicy
from gongzhi.core.models import WorkdayOverride


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "parent", "subdistrict", "urgent", "is_active"]
    list_filter = ["level", "urgent", "is_active"]
    search_fields = ["name"]
    raw_id_fields = ["parent", "subdistrict"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "subdistrict",
        "category",
        "tier",
        "accept_limit",
        "accept_unit",
        "resolve_limit",
        "resolve_unit",
    ]
    raw_id_fields = ["subdistrict", "category"]


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    list_display = ["day", "is_workday", "note"]


class EventInline(admin.TabularInline):
    model = AppealEvent
    extra = 0
    can_delete = False
    readonly_fields = [
        "at",
        "actor",
        "action",
        "from_status",
        "to_status",
        "from_tier",
        "to_tier",
        "note",
        "public",
    ]
    fields = ["at", "actor", "action", "from_status", "to_status", "from_tier", "to_tier", "note", "public"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    """Read-only: appeals change only through the workflow (the staff pages and the API)."""

    list_display = ["id", "title", "status", "tier", "node", "created_at"]
    list_filter = ["status", "tier", "channel"]
    search_fields = ["title"]
    inlines = [EventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
