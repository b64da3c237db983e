from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import ServiceError


class AppealError(ServiceError):
    """A transition or submission that cannot happen; ``code`` is stable for API clients."""


def wrong_state():
    return AppealError("wrong_state", _("This cannot be done in the appeal's current state."))


def conflict():
    return AppealError("conflict", _("Someone else changed this appeal just now. Reload and try again."))
