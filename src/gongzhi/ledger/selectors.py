"""Reads of the points ledger, scoped to the user asking."""

from django.db.models import QuerySet

from gongzhi.accounts.models import User
from gongzhi.ledger.models import PointsAccount, PointsEntry


def own_accounts(*, fetched_by: User) -> QuerySet[PointsAccount]:
    """The user's own points accounts (one per subdistrict they earned or spent in)."""
    return (
        PointsAccount.objects.visible_to(fetched_by, "view")
        .filter(user_id=fetched_by.pk)
        .select_related("node")
        .order_by("node__path")
    )


def own_entries(*, fetched_by: User, account_id: int | None = None) -> QuerySet[PointsEntry]:
    """Entries on the user's own accounts, newest first."""
    accounts = own_accounts(fetched_by=fetched_by)
    if account_id is not None:
        accounts = accounts.filter(pk=account_id)
    return (
        PointsEntry.objects.filter(account__in=accounts.values("pk"))
        .select_related("transaction")
        .order_by("-id")
    )
