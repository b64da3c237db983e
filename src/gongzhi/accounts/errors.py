"""Errors the accounts services raise; views and the API turn them into messages in the user's language."""

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ServiceError


class AccountsError(ServiceError):
    """A change to users, roles or the residents' register that cannot be done."""


class SignInError(ServiceError):
    status = 401
    default_code = "sign_in_failed"
    default_message = _("Wrong username or password.")

    def __init__(self, message=None):
        super().__init__(None, message)


class LockedOut(SignInError):
    status = 429
    default_code = "locked_out"
    default_message = _(
        "Too many failed attempts. Try again in 15 minutes, or sign in with a code sent to your mobile."
    )


class AddressThrottled(LockedOut):
    default_code = "throttled"
    default_message = _("Too many failed sign-in attempts from your network. Try again in 15 minutes.")


class CodeThrottled(SignInError):
    status = 429
    default_code = "code_throttled"
    default_message = _("A code was sent less than a minute ago. Please wait before asking again.")


class InvalidCode(SignInError):
    status = 401
    default_code = "invalid_code"
    default_message = _("The code is wrong or has expired.")
