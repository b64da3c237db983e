"""Authentication backend for phone + one-time code sign-in."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError


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
