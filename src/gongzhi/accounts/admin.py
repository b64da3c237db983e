from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from gongzhi.accounts.models import Person, RoleBinding, User


class RoleBindingInline(admin.TabularInline):
    model = RoleBinding
    raw_id_fields = ["node"]
    extra = 0


@admin.register(User)
class GongzhiUserAdmin(UserAdmin):
    list_display = ["username", "display_name", "phone_masked", "is_active", "is_superuser"]
    search_fields = ["username", "display_name"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Gongzhi", {"fields": ["display_name"]}))
    inlines = [RoleBindingInline]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """Numbers stay masked here too; full numbers are shown only through the audited reveal."""

    list_display = ["name", "node", "gender", "birth_year", "phone_masked", "id_number_masked"]
    search_fields = ["name"]
    raw_id_fields = ["node", "user"]
    readonly_fields = ["phone_masked", "id_number_masked"]
    exclude = ["phone_cipher", "phone_index", "id_cipher", "id_index"]
