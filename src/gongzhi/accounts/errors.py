"""Errors the accounts services raise; views and the API turn them into messages in the user's language."""

from django.utils.translation import gettext_lazy as _


class SignInError(Exception):
    code = "sign_in_failed"
    message = _("Wrong username or password.")

    def __init__(self, message=None):
        if message is not None:
            self.message = message
        super().__init__(str(self.message))


class LockedOut(SignInError):
    code = "locked_out"
    message = _("Too many failed attempts. Try again in 15 minutes.")


class CodeThrottled(SignInError):
    code = "code_throttled"
    message = _("A code was sent less than a minute ago. Please wait before asking again.")


class InvalidCode(SignInError):
    code = "invalid_code"
    message = _("The code is wrong or has expired.")
