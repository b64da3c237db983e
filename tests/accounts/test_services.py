from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.accounts import services
from gongzhi.accounts.errors import CodeThrottled, InvalidCode, LockedOut, SignInError
from gongzhi.accounts.models import ApiToken, LoginFailure, OneTimeCode
from gongzhi.accounts.sms import MemorySmsBackend
from gongzhi.core.models import AuditEvent
from tests.accounts.factories import PASSWORD, UserFactory, with_phone

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_password_sign_in():
    user = UserFactory(username="wang")
    assert services.user_sign_in_with_password(request=None, username="wang", password=PASSWORD) == user


def test_wrong_password_and_unknown_user_get_the_same_error():
    UserFactory(username="wang")
    with pytest.raises(SignInError) as wrong:
        services.user_sign_in_with_password(request=None, username="wang", password="nope")
    with pytest.raises(SignInError) as unknown:
        services.user_sign_in_with_password(request=None, username="ghost", password="nope")
    assert type(wrong.value) is type(unknown.value) is SignInError


def test_five_failures_lock_out_even_the_right_password_then_the_lock_expires():
    UserFactory(username="wang")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(4):
            with pytest.raises(SignInError):
                services.user_sign_in_with_password(request=None, username="wang", password="nope")
        with pytest.raises(LockedOut):
            services.user_sign_in_with_password(request=None, username="wang", password="nope")
        with pytest.raises(LockedOut):
            services.user_sign_in_with_password(request=None, username="WANG", password=PASSWORD)
        clock.shift(timedelta(minutes=14))
        with pytest.raises(LockedOut):
            services.user_sign_in_with_password(request=None, username="wang", password=PASSWORD)
        clock.shift(timedelta(minutes=2))
        assert services.user_sign_in_with_password(request=None, username="wang", password=PASSWORD)
    assert not LoginFailure.objects.filter(key="u:wang").exists()


def test_failures_spread_beyond_the_window_do_not_lock():
    UserFactory(username="wang")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(6):
            with pytest.raises(SignInError) as err:
                services.user_sign_in_with_password(request=None, username="wang", password="nope")
            assert not isinstance(err.value, LockedOut)
            clock.shift(timedelta(minutes=5))


def test_lockout_of_one_account_leaves_others_alone():
    UserFactory(username="wang")
    UserFactory(username="li")
    for _ in range(5):
        with pytest.raises(SignInError):
            services.user_sign_in_with_password(request=None, username="wang", password="nope")
    assert services.user_sign_in_with_password(request=None, username="li", password=PASSWORD)


def sent_code():
    _phone, message = MemorySmsBackend.outbox[-1]
    return "".join(ch for ch in message if ch.isdigit())[:6]


def test_phone_code_sign_in(django_capture_on_commit_callbacks):
    user = with_phone(UserFactory(), "13812341234")
    with django_capture_on_commit_callbacks(execute=True):
        services.otp_request(phone="138 1234 1234")
    assert MemorySmsBackend.outbox[-1][0] == "13812341234"
    code = sent_code()
    assert services.user_sign_in_with_code(request=None, phone="13812341234", code=code) == user
    with pytest.raises(InvalidCode):  # single use
        services.user_sign_in_with_code(request=None, phone="13812341234", code=code)
    assert not OneTimeCode.objects.filter(code_hash__contains=code).exists()


def test_unknown_number_gets_the_same_answer_and_no_sms(django_capture_on_commit_callbacks):
    with_phone(UserFactory(), "13812341234")
    for phone in ("13900000000", "13812341234"):
        with django_capture_on_commit_callbacks(execute=True):
            services.otp_request(phone=phone)
        # Throttling must not tell a registered number from an unknown one.
        with pytest.raises(CodeThrottled):
            services.otp_request(phone=phone)
    assert [p for p, _m in MemorySmsBackend.outbox] == ["13812341234"]
    with pytest.raises(InvalidCode):  # the decoy row never signs anyone in
        services.user_sign_in_with_code(request=None, phone="13900000000", code="000000")


def test_codes_expire_and_resend_is_throttled(django_capture_on_commit_callbacks):
    with_phone(UserFactory(), "13812341234")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            services.otp_request(phone="13812341234")
        with pytest.raises(CodeThrottled):
            services.otp_request(phone="13812341234")
        code = sent_code()
        clock.shift(timedelta(minutes=6))
        with pytest.raises(InvalidCode):
            services.user_sign_in_with_code(request=None, phone="13812341234", code=code)


def test_a_code_survives_only_five_wrong_guesses(django_capture_on_commit_callbacks):
    with_phone(UserFactory(), "13812341234")
    with django_capture_on_commit_callbacks(execute=True):
        services.otp_request(phone="13812341234")
    code = sent_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(InvalidCode):
            services.user_sign_in_with_code(request=None, phone="13812341234", code=wrong)
    with pytest.raises(LockedOut):
        services.user_sign_in_with_code(request=None, phone="13812341234", code=wrong)
    with pytest.raises(LockedOut):
        services.user_sign_in_with_code(request=None, phone="13812341234", code=code)


def test_malformed_phone_is_a_validation_error():
    with pytest.raises(ValidationError):
        services.otp_request(phone="12345")


def test_api_tokens_are_stored_hashed_and_expire():
    user = UserFactory()
    token = services.api_token_issue(user=user)
    assert token.startswith("gz_")
    assert not ApiToken.objects.filter(key_hash=token).exists()
    assert services.api_token_user(token) == user
    assert services.api_token_user(token + "x") is None
    assert services.api_token_user("") is None
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert services.api_token_user(token) is None
    user.is_active = False
    user.save()
    assert services.api_token_user(token) is None


def test_reveal_is_audited_and_scoped(world):
    value = services.person_reveal(actor=world.a1_staff, person=world.p_a1a, field="phone")
    assert value == "13812341234"
    event = AuditEvent.objects.get(action="person.reveal.phone")
    assert (event.actor, event.target_id, event.node) == (world.a1_staff, str(world.p_a1a.pk), world.bld_a1a)
    for outsider in (world.a2_staff, world.viewer, world.resident, world.sub_b_admin):
        with pytest.raises(PermissionDenied):
            services.person_reveal(actor=outsider, person=world.p_a1a, field="phone")
    assert AuditEvent.objects.filter(action__startswith="person.reveal").count() == 1


def test_person_create_validates_and_checks_scope(world):
    person = services.person_create(
        actor=world.commissioner, node=world.bld_a1a, name=" 孙七 ", phone="13511112222"
    )
    assert person.name == "孙七" and person.phone_masked == "135****2222"
    with pytest.raises(PermissionDenied):
        services.person_create(actor=world.a2_staff, node=world.bld_a1a, name="x")
    with pytest.raises(ValidationError):
        services.person_create(actor=world.a1_staff, node=world.bld_a1a, name="x", phone="123")


def test_role_grants_stay_inside_the_granters_reach(world):
    target = UserFactory()
    binding = services.role_binding_grant(
        actor=world.a1_secretary, user=target, role="commissioner", node=world.cmp_a1a
    )
    assert binding.node == world.cmp_a1a
    with pytest.raises(PermissionDenied):
        services.role_binding_grant(
            actor=world.a1_secretary, user=target, role="commissioner", node=world.cmp_a2a
        )
    with pytest.raises(PermissionDenied):
        services.role_binding_grant(
            actor=world.a1_secretary, user=target, role="subdistrict_admin", node=world.comm_a1
        )
    with pytest.raises(PermissionDenied):
        services.role_binding_grant(actor=world.a1_staff, user=target, role="resident", node=world.cmp_a1a)


def test_housekeeping_purges_only_what_sign_in_no_longer_needs():
    from gongzhi.accounts.tasks import purge_sign_in_records

    user = UserFactory()
    now = timezone.now()
    old_code = OneTimeCode.objects.create(phone_index="x", code_hash="h", expires_at=now - timedelta(days=2))
    live_code = OneTimeCode.objects.create(
        phone_index="x", code_hash="h", expires_at=now + timedelta(minutes=5)
    )
    LoginFailure.objects.create(key="u:a", at=now - timedelta(hours=2))
    recent = LoginFailure.objects.create(key="u:a", at=now - timedelta(minutes=5))
    token = services.api_token_issue(user=user)
    ApiToken.objects.create(user=user, key_hash="dead", expires_at=now - timedelta(days=40))
    # Periodic: once a day at 03:17 (Huey does not keep periodic tasks' results, so run the body here).
    task = purge_sign_in_records.task_class()
    assert task.validate_datetime(datetime(2026, 5, 1, 3, 17)) and not task.validate_datetime(
        datetime(2026, 5, 1, 4, 17)
    )
    assert purge_sign_in_records.call_local() == {"codes": 1, "failures": 1, "tokens": 1}
    assert not OneTimeCode.objects.filter(pk=old_code.pk).exists()
    assert OneTimeCode.objects.filter(pk=live_code.pk).exists()
    assert LoginFailure.objects.filter(pk=recent.pk).exists()
    assert services.api_token_user(token) == user


def test_phone_account_is_one_per_number_signs_in_by_code_and_is_audited(world):
    user, made = services.phone_account(
        actor=world.a1_staff,
        phone="135 1111 3333",
        display_name="周八",
        username_prefix="unit7",
        node=world.cmp_a1a,
    )
    assert made and user.username.startswith("unit7-") and user.display_name == "周八"
    assert not user.has_usable_password() and user.phone_masked == "135****3333"
    again, made_again = services.phone_account(
        actor=world.a1_staff,
        phone="13511113333",
        display_name="别名",
        username_prefix="unit9",
        node=world.cmp_a1a,
    )
    assert (again.pk, made_again, again.display_name) == (user.pk, False, "周八")
    assert (
        AuditEvent.objects.filter(action="user.create", target_id=str(user.pk)).count() == 1
    )  # unscoped: test
    with pytest.raises(ValidationError):
        services.phone_account(
            actor=world.a1_staff, phone="123", display_name="x", username_prefix="unit7", node=world.cmp_a1a
        )
