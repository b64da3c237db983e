"""Who may act on an appeal: small predicates the services, views and API share."""

from datetime import timedelta

from django.conf import settings

from gongzhi.accounts.models import User
from gongzhi.appeals.models import Appeal
from gongzhi.core.roles import CASEWORK_ROLES
from gongzhi.core.scoping import has_role


def is_filer(user: User | None, appeal: Appeal) -> bool:
    """The resident the appeal is for, or the person who filed it."""
    if user is None or not user.pk:
        return False
    return appeal.submitted_by_id == user.pk or (
        appeal.resident is not None and appeal.resident.user_id == user.pk
    )


def handles(user: User | None, appeal: Appeal) -> bool:
    """Casework staff whose reach covers the node handling the appeal at its current tier."""
    return user is not None and has_role(user, CASEWORK_ROLES, at_path=appeal.handling_node.path)


def rating_window() -> timedelta:
    """How long a resident may rate a resolved appeal (GONGZHI_RATING_WINDOW_DAYS, default 7 days)."""
    return timedelta(days=getattr(settings, "GONGZHI_RATING_WINDOW_DAYS", 7))
