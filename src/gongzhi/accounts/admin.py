from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.accounts import services
from gongzhi.accounts.errors import SignInError
from gongzhi.accounts.models import ApiToken, Person, RoleBinding, User


class AdminSignInForm(AdminAuthenticationForm):
    """The admin's sign-in goes through the same service as the site and the API: the same throttle,
    the same messages (a locked account is told it can sign in with a code on the site), an audit row."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = services.user_sign_in_with_password(
                    request=self.request, username=username, password=password
                )
            except SignInError as exc:
                raise ValidationError(str(exc.message), code=exc.code) from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


admin.site.login_form = AdminSignInForm


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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are listed by their hash (the token itself is never stored); they are revoked, not edited."""

    list_display = [
        "id",
        "user",
        "name",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "key_hash",
    ]
    list_filter = ["revoked_reason"]
    search_fields = ["user__username", "name"]
    readonly_fields = [f.name for f in ApiToken._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_reason=services.TokenRevoked.BY_ADMIN
        )
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": count})
