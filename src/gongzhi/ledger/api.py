from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from gongzhi.core.http import AuthenticatedHttpRequest
from gongzhi.ledger import selectors

router = Router(tags=["points"])


class BalanceOut(Schema):
    account_id: int
    subdistrict_id: int
    subdistrict: str
    balance: int


class EntryOut(Schema):
    id: int
    account_id: int
    amount: int
    kind: str
    memo: str
    at: datetime

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.transaction.kind

    @staticmethod
    def resolve_memo(obj) -> str:
        return obj.transaction.memo

    @staticmethod
    def resolve_at(obj) -> datetime:
        return obj.created_at


@router.get("/points/balance", response=list[BalanceOut])
def points_balance(request: AuthenticatedHttpRequest):
    """Your points, per subdistrict where you earned or spent them."""
    return [
        {"account_id": a.pk, "subdistrict_id": a.node_id, "subdistrict": a.node.name, "balance": a.balance}
        for a in selectors.own_accounts(fetched_by=request.user)
    ]


@router.get("/points/entries", response=list[EntryOut])
@paginate(LimitOffsetPagination)
def points_entries(request: AuthenticatedHttpRequest, account: int | None = None):
    """Every movement on your accounts, newest first."""
    return selectors.own_entries(fetched_by=request.user, account_id=account)
