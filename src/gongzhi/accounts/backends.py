"""Authentication backends: username + password behind the sign-in throttle, and phone + one-time code."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.accounts import throttle


class PasswordBackend(ModelBackend):
    """Django's password check, behind the sign-in throttle (``accounts.throttle``).

    Every sign-in with a password goes through ``authenticate()`` and so through here — the sign-in page,
    ``POST /api/v1/auth/token`` and ``/admin/login/`` alike: a locked account or address is refused before
    the password is looked at, and every failure is counted against both.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        key = throttle.username_key(username)
        if throttle.is_blocked(key, request):
            raise PermissionDenied  # authenticate() stops here: no other backend is asked
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            throttle.record_failure(key, request)
            return None
        throttle.clear(key)
        return user


class PhoneCodeBackend(ModelBackend):
    def authenticate(self, request, phone=None, code=None, **kwargs):
        if phone is None or code is None:
            return None
        from gongzhi.accounts.services import otp_verify

        try:
            user = otp_verify(phone=phone, code=code)
        except ValidationError:
            return None
        return user if user is not None and self.user_can_authenticate(user) else None
