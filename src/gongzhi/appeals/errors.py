from django.utils.translation import gettext_lazy as _


class AppealError(Exception):
    """A transition or submission that cannot happen; ``code`` is stable for API clients."""

    def __init__(self, code: str, message):
        self.code = code
        self.message = message
        super().__init__(str(message))


def wrong_state():
    return AppealError("wrong_state", _("This cannot be done in the appeal's current state."))


def conflict():
    return AppealError("conflict", _("Someone else changed this appeal just now. Reload and try again."))
