"""Users, their role bindings, the residents' register, sign-in records and API tokens."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core import pii
from gongzhi.core.roles import CASEWORK_ROLES, OVERSIGHT_ROLES, Role
from gongzhi.core.scoping import ScopedQuerySet, ScopePolicy, own


class EncryptedPhoneMixin(models.Model):
    """A mobile number stored encrypted, with a blind index for exact lookup."""

    phone_cipher = models.BinaryField(null=True, blank=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    class Meta:
        abstract = True

    def set_phone(self, raw: str | None) -> None:
        if not raw:
            self.phone_cipher, self.phone_index = None, ""
            return
        phone = pii.normalize_phone(raw)
        self.phone_cipher = pii.encrypt(phone, context="phone")
        self.phone_index = pii.blind_index(phone, context="phone")

    def decrypt_phone(self) -> str:
        """Plain number. Staff-facing callers go through accounts.services.person_reveal, which audits."""
        return pii.decrypt(self.phone_cipher, context="phone") if self.phone_cipher else ""

    @property
    def phone_masked(self) -> str:
        return pii.mask_phone(self.decrypt_phone()) if self.phone_cipher else ""


class GongzhiUserManager(UserManager):
    def get_by_phone(self, raw: str) -> "User":
        index = pii.blind_index(pii.normalize_phone(raw), context="phone")
        return self.get(phone_index=index)  # type: ignore[return-value]


class User(EncryptedPhoneMixin, AbstractUser):
    display_name = models.CharField(_("display name"), max_length=60, blank=True)

    objects = GongzhiUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["phone_index"], condition=~Q(phone_index=""), name="user_phone_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleBinding(models.Model):
    """One role held at one node; it reaches that node's whole subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_bindings")
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    node = models.ForeignKey("orgs.Node", on_delete=models.PROTECT, related_name="role_bindings")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={
            "view": frozenset({Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_SECRETARY}),
            "count": OVERSIGHT_ROLES,
        },
    )

    class Meta:
        ordering = ["user_id", "role"]
        verbose_name = _("role binding")
        verbose_name_plural = _("role bindings")
        constraints = [models.UniqueConstraint(fields=["user", "role", "node"], name="role_binding_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.node}"


class Gender(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class Person(EncryptedPhoneMixin, models.Model):
    """A resident in the register (居民档案), registered at a building or compound."""

    node = models.ForeignKey(
        "orgs.Node", on_delete=models.PROTECT, related_name="people", verbose_name=_("lives at")
    )
    name = models.CharField(_("name"), max_length=60)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    id_cipher = models.BinaryField(null=True, blank=True, editable=False)
    id_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    room = models.CharField(_("room"), max_length=20, blank=True)
    user = models.OneToOneField(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="person")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopePolicy(
        node_field="node",
        actions={
            "view": CASEWORK_ROLES,
            "change": CASEWORK_ROLES,
            "reveal": CASEWORK_ROLES,
            "count": OVERSIGHT_ROLES,
        },
        owner_rule=own("user"),  # a resident sees their own register entry
    )

    class Meta:
        # By building, as staff walk the register; this order also lets a page stop early at scale.
        ordering = ["node__path", "id"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        constraints = [
            models.UniqueConstraint(
                fields=["id_index"], condition=~Q(id_index=""), name="person_id_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True) | Q(birth_year__gte=1900, birth_year__lte=2100),
                name="person_birth_year_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, raw: str | None) -> None:
        if not raw:
            self.id_cipher, self.id_index = None, ""
            return
        number = pii.normalize_id_number(raw)
        self.id_cipher = pii.encrypt(number, context="id_number")
        self.id_index = pii.blind_index(number, context="id_number")

    def decrypt_id_number(self) -> str:
        return pii.decrypt(self.id_cipher, context="id_number") if self.id_cipher else ""

    @property
    def id_number_masked(self) -> str:
        return pii.mask_id_number(self.decrypt_id_number()) if self.id_cipher else ""

    @property
    def name_masked(self) -> str:
        return (self.name[0] + "*" * max(1, len(self.name) - 1)) if self.name else ""


class OneTimeCode(models.Model):
    """A sign-in code sent by SMS. Only a keyed hash of the code is stored."""

    phone_index = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"code {self.pk} (expires {self.expires_at:%H:%M})"


class LoginFailure(models.Model):
    """A failed sign-in; enough of them in a window lock the account key for a while."""

    key = models.CharField(max_length=80, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.key} @ {self.at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A Bearer token for programs. Only its SHA-256 hash is stored; the token is shown once, when issued.

    A revoked token stays listed (with when and why) and never works again: revoked by its user, or with
    all of the user's tokens when the password changes or the account is deactivated."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(_("why revoked"), max_length=24, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name or 'token'} #{self.pk} of {self.user_id}"

    def is_valid(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now() and self.user.is_active
