"""Every write to accounts: sign-in, one-time codes, API tokens, role bindings, the residents' register."""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from gongzhi.accounts import throttle
from gongzhi.accounts.errors import AccountsError, CodeThrottled, InvalidCode, SignInError
from gongzhi.accounts.models import ApiToken, LoginFailure, OneTimeCode, Person, RoleBinding, User
from gongzhi.accounts.rules import grants_roles_at, grants_senior_roles_at, keeps_register_at
from gongzhi.accounts.sms import sms_send
from gongzhi.core import pii
from gongzhi.core.audit import audit_record
from gongzhi.core.roles import Role
from gongzhi.orgs.models import Node


def _normalized_phone(raw: str) -> str:
    try:
        return pii.normalize_phone(raw)
    except ValidationError as exc:
        raise AccountsError.from_validation(exc) from None


# --- sign-in -------------------------------------------------------------------------------


def user_sign_in_with_password(*, request: HttpRequest | None, username: str, password: str) -> User:
    """Check a username and password (``PasswordBackend``: throttled). Raises SignInError or LockedOut."""
    key = throttle.username_key(username or "")
    throttle.check(key, request)
    user = authenticate(request, username=username, password=password)
    if user is None:
        throttle.check(key, request)  # the failure just counted may have locked the account or address
        raise SignInError()
    _audit_sign_in(user, request, method="password")
    return user


def _audit_sign_in(user: User, request: HttpRequest | None, *, method: str) -> None:
    audit_record(actor=user, action="user.sign_in", target=user, request=request, method=method)


def _code_hash(phone_index: str, code: str) -> str:
    return salted_hmac("gongzhi.otp", f"{phone_index}:{code}", algorithm="sha256").hexdigest()


def otp_request(*, phone: str, request: HttpRequest | None = None) -> None:
    """Send a six-digit sign-in code. The answer is the same whether or not the number has an account."""
    number = _normalized_phone(phone)
    index = pii.blind_index(number, context="phone")
    now = timezone.now()
    throttle.check(throttle.phone_key(index), request)
    last = OneTimeCode.objects.filter(phone_index=index).order_by("-created_at").first()
    if last and now - last.created_at < settings.GONGZHI_OTP_RESEND_INTERVAL:
        raise CodeThrottled()
    code = f"{secrets.randbelow(1_000_000):06d}"
    # A row is stored for unknown numbers too (its code is never sent, so never matches a user), so that
    # throttling answers the same whether or not the number has an account.
    OneTimeCode.objects.create(
        phone_index=index, code_hash=_code_hash(index, code), expires_at=now + settings.GONGZHI_OTP_TTL
    )
    if not User.objects.filter(phone_index=index, is_active=True).exists():
        return
    minutes = int(settings.GONGZHI_OTP_TTL.total_seconds() // 60)
    transaction.on_commit(
        lambda: sms_send(
            number,
            _("Your Gongzhi sign-in code is %(code)s, valid for %(minutes)s minutes.")
            % {"code": code, "minutes": minutes},
        )
    )


def otp_verify(*, phone: str, code: str) -> User | None:
    """Return the user if ``code`` is the live code for ``phone`` (used by PhoneCodeBackend)."""
    number = _normalized_phone(phone)
    index = pii.blind_index(number, context="phone")
    now = timezone.now()
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(phone_index=index, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if otp is None or otp.attempts >= settings.GONGZHI_OTP_MAX_ATTEMPTS:
            return None
        if not constant_time_compare(otp.code_hash, _code_hash(index, (code or "").strip())):
            OneTimeCode.objects.filter(pk=otp.pk).update(attempts=otp.attempts + 1)
            return None
        OneTimeCode.objects.filter(pk=otp.pk).update(used_at=now)
    return User.objects.filter(phone_index=index, is_active=True).first()


def user_sign_in_with_code(*, request: HttpRequest | None, phone: str, code: str) -> User:
    """Sign in with a code sent to the phone. This also opens an account locked by wrong passwords (and
    clears its failures), so that a stranger guessing at a username cannot keep its owner out."""
    index = pii.blind_index(_normalized_phone(phone), context="phone")
    key = throttle.phone_key(index)
    throttle.check(key, request)
    user = authenticate(request, phone=phone, code=code)
    if user is None:
        throttle.record_failure(key, request)
        throttle.check(key, request)
        raise InvalidCode()
    throttle.clear(key)
    throttle.clear(throttle.username_key(user.username))
    _audit_sign_in(user, request, method="code")
    return user


def sign_in_records_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Delete what sign-in no longer needs: codes a day past expiry, failures older than any lock window."""
    now = now or timezone.now()
    horizon = max(settings.GONGZHI_LOGIN_FAILURE_WINDOW, settings.GONGZHI_LOGIN_LOCKOUT)
    codes, _ = OneTimeCode.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()
    failures, _ = LoginFailure.objects.filter(at__lt=now - 2 * horizon).delete()
    month_ago = now - timedelta(days=30)
    tokens, _ = ApiToken.objects.filter(Q(expires_at__lt=month_ago) | Q(revoked_at__lt=month_ago)).delete()
    return {"codes": codes, "failures": failures, "tokens": tokens}


# --- API tokens ----------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenRevoked:
    """Why a token stopped working (``ApiToken.revoked_reason``)."""

    BY_USER = "by_user"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a reason, not a password
    DEACTIVATED = "deactivated"
    BY_ADMIN = "by_admin"


def api_token_create(
    *, user: User, name: str = "", request: HttpRequest | None = None
) -> tuple[str, ApiToken]:
    """A new token for ``user`` and its row. Only the hash is kept, so this is the one time it is seen."""
    token = "gz_" + secrets.token_urlsafe(32)
    row = ApiToken.objects.create(
        user=user,
        name=name.strip()[: ApiToken._meta.get_field("name").max_length or 60],
        key_hash=_token_hash(token),
        expires_at=timezone.now() + settings.GONGZHI_API_TOKEN_TTL,
    )
    audit_record(actor=user, action="token.issue", target=row, request=request, name=row.name)
    return token, row


def api_token_issue(*, user: User, name: str = "", request: HttpRequest | None = None) -> str:
    return api_token_create(user=user, name=name, request=request)[0]


def api_token_find(token: str) -> ApiToken | None:
    """The live token row for ``token`` (its user loaded), or None; notes when it was last used."""
    if not token or not token.startswith("gz_") or len(token) > 200:
        return None
    row = ApiToken.objects.select_related("user").filter(key_hash=_token_hash(token)).first()
    if row is None or not row.is_valid():
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        row.last_used_at = now
    return row


def api_token_user(token: str) -> User | None:
    row = api_token_find(token)
    return row.user if row is not None else None


@transaction.atomic
def api_token_revoke(*, actor: User, token_id: int, request: HttpRequest | None = None) -> ApiToken:
    """Revoke one of the actor's own tokens (someone else's, or none: not found). Revoking twice is fine."""
    if not 0 < token_id < 2**63:  # no such id could exist (and the database could not take it)
        raise AccountsError.not_found(_("No such token."))
    row = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
    if row is None:
        raise AccountsError.not_found(_("No such token."))
    if row.revoked_at is None:
        row.revoked_at, row.revoked_reason = timezone.now(), TokenRevoked.BY_USER
        row.save(update_fields=["revoked_at", "revoked_reason"])
        audit_record(actor=actor, action="token.revoke", target=row, request=request)
    return row


def api_tokens_revoke_all(*, user: User, reason: str) -> int:
    """Revoke every live token of ``user`` (a password change, a deactivation); returns how many."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )


# --- role bindings -------------------------------------------------------------------------


@transaction.atomic
def role_binding_grant(*, actor: User, user: User, role: str, node: Node) -> RoleBinding:
    """Grant ``role`` at ``node``. Managers may grant roles inside their subtree, but not above their own."""
    if role not in Role.values:
        raise AccountsError.invalid(_("Unknown role."), field="role")
    if not grants_roles_at.test(actor, node):
        raise AccountsError.forbidden(_("You cannot grant roles at this node."))
    senior = role in (Role.SUBDISTRICT_ADMIN, Role.DISTRICT_VIEWER)
    if senior and not grants_senior_roles_at.test(actor, node):
        raise AccountsError.forbidden(_("You cannot grant this role."))
    # unscoped: the grant was checked against the actor's reach just above
    binding, _created = RoleBinding.objects.get_or_create(user=user, role=role, node=node)
    audit_record(actor=actor, action="role.grant", target=binding, node=node, role=role, user=user.pk)
    return binding


def phone_account(
    *, actor: User, phone: str, display_name: str, username_prefix: str, node: Node
) -> tuple[User, bool]:
    """The one account of a mobile number (numbers are unique), made if there is none: it signs in by a code
    sent to the number and has no password. For apps that give people an account on staff's word (an alliance
    unit's staff); the caller decides who may. Returns the account and whether it was made."""
    number = _normalized_phone(phone)
    index = pii.blind_index(number, context="phone")
    # unscoped: the one account of this mobile number, if there is one
    user = User.objects.filter(phone_index=index).first()
    if user is not None:
        return user, False
    user = User(username=f"{username_prefix}-{index[:12]}", display_name=display_name)
    user.set_phone(number)
    user.set_unusable_password()
    user.save()
    audit_record(actor=actor, action="user.create", target=user, node=node, by="phone")
    return user, True


# --- residents' register -------------------------------------------------------------------


@transaction.atomic
def person_create(
    *,
    actor: User,
    node: Node,
    name: str,
    phone: str = "",
    id_number: str = "",
    gender: str = "",
    birth_year: int | None = None,
    room: str = "",
) -> Person:
    if not keeps_register_at.test(actor, node):
        raise AccountsError.forbidden(_("You cannot add residents here."))
    person = Person(node=node, name=name.strip(), gender=gender, birth_year=birth_year, room=room)
    try:
        person.set_phone(phone)
        person.set_id_number(id_number)
        person.full_clean(exclude=["phone_cipher", "id_cipher"])
    except ValidationError as exc:
        raise AccountsError.from_validation(exc) from None
    person.save()
    audit_record(actor=actor, action="person.create", target=person, node=node)
    return person


@transaction.atomic
def person_reveal(*, actor: User, person: Person, field: str, request: HttpRequest | None = None) -> str:
    """Show a resident's full phone or ID number to staff; every reveal is written to the audit log."""
    if field not in ("phone", "id_number"):
        raise ValueError(field)
    if not Person.objects.visible_to(actor, "reveal").filter(pk=person.pk).exists():
        raise AccountsError.forbidden(_("You cannot see this resident's personal data."))
    value = person.decrypt_phone() if field == "phone" else person.decrypt_id_number()
    audit_record(
        actor=actor, action=f"person.reveal.{field}", target=person, node=person.node, request=request
    )
    return value


def person_find_by_phone(*, actor: User, phone: str) -> Any:
    index = pii.blind_index(_normalized_phone(phone), context="phone")
    return Person.objects.visible_to(actor, "view").filter(phone_index=index)
