"""Every write to the points ledger goes through points_post: balanced, idempotent, never below zero."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.ledger.errors import LedgerError
from gongzhi.ledger.models import AccountKind, PointsAccount, PointsEntry, PointsTransaction
from gongzhi.orgs.models import Node, NodeKind


def account_for(*, kind: str, subdistrict: Node, user: User | None = None) -> PointsAccount:
    """The account of ``kind`` at a subdistrict (a person's, with ``user``), created on first use."""
    if subdistrict.kind != NodeKind.SUBDISTRICT:
        raise ValueError("Points accounts belong to a subdistrict.")
    if (kind == AccountKind.PERSON) != (user is not None):
        raise ValueError("Person accounts, and only they, have a user.")
    # unscoped: an account by its key (kind, subdistrict, user), for a movement the caller authorised
    found = PointsAccount.objects.filter(kind=kind, node=subdistrict, user=user).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return PointsAccount.objects.create(kind=kind, node=subdistrict, user=user)
    except IntegrityError:  # created by a concurrent request
        # unscoped: the account a concurrent request just created
        return PointsAccount.objects.get(kind=kind, node=subdistrict, user=user)


def accounts_for_spending(*, subdistrict: Node, user: User) -> tuple[PointsAccount, PointsAccount]:
    """(the person's account, the subdistrict's mall account) in one query, created on first use."""
    found = {
        (a.kind, a.user_id): a
        # unscoped: the buyer's own account and the subdistrict's mall account
        for a in PointsAccount.objects.filter(node=subdistrict).filter(
            Q(kind=AccountKind.PERSON, user_id=user.pk) | Q(kind=AccountKind.MALL, user__isnull=True)
        )
    }
    person = found.get((AccountKind.PERSON, user.pk)) or account_for(
        kind=AccountKind.PERSON, subdistrict=subdistrict, user=user
    )
    mall = found.get((AccountKind.MALL, None)) or account_for(kind=AccountKind.MALL, subdistrict=subdistrict)
    return person, mall


def _same(existing: PointsTransaction, postings: Sequence[tuple[PointsAccount, int]]) -> bool:
    recorded = Counter(existing.entries.values_list("account_id", "amount"))
    return recorded == Counter((account.pk, amount) for account, amount in postings)


def points_post(
    *,
    key: str,
    kind: str,
    postings: Sequence[tuple[PointsAccount, int]],
    actor: User | None = None,
    memo: str = "",
    new_key: bool = False,
    occurred_at: datetime | None = None,
) -> tuple[PointsTransaction, bool]:
    """Record one movement of points. Returns (transaction, created).

    The amounts must be whole, non-zero and sum to zero, on distinct accounts. Balances are checked and
    moved and the entries appended in one transaction; no balance but an issuance account's goes below
    zero. ``occurred_at`` is when what it pays for happened, where that is not now (hours confirmed after
    the service, an order taken on paper); the posting itself is always dated now. The same key again returns the first transaction and changes nothing; the same key with other postings is
    refused.

    Lock order: people's accounts (id order) first, the subdistrict's shared accounts (id order) last. A
    caller that locks rows of its own does so in one fixed order before calling (the mall: the buyer's
    account, then the item)."""
    key = (key or "").strip()
    if not key or len(key) > 80:
        raise LedgerError(
            "bad_key", _("Every movement of points needs an idempotency key (at most 80 characters).")
        )
    if len(postings) < 2 or any(
        not isinstance(a, int) or isinstance(a, bool) or a == 0 for _acc, a in postings
    ):
        raise LedgerError("bad_postings", _("A movement needs two or more non-zero whole amounts."))
    if sum(a for _acc, a in postings) != 0:
        raise LedgerError("unbalanced", _("The amounts of a movement must sum to zero."))
    ids = [account.pk for account, _a in postings]
    if len(set(ids)) != len(ids):
        raise LedgerError("bad_postings", _("Each account may appear once in a movement."))

    def existing_or_refuse() -> tuple[PointsTransaction, bool] | None:
        found = PointsTransaction.objects.filter(key=key).first()
        if found is None:
            return None
        if not _same(found, postings):
            raise LedgerError.conflict(
                "key_reused", _("This idempotency key was already used for another movement.")
            )
        return found, False

    def apply() -> PointsTransaction:
        # People's accounts are locked in id order and checked; the shared accounts of a subdistrict
        # (issuance, mall) get one conditional increment each, last, so a hot mall or issuance row is
        # locked only from its increment to the commit.
        delta = {a.pk: amount for a, amount in postings}
        people = sorted(a.pk for a, _amount in postings if a.kind == AccountKind.PERSON)
        locked = dict(
            # unscoped: locks the people's accounts of this movement
            PointsAccount.objects.select_for_update()
            .filter(pk__in=people)
            .order_by("pk")
            .values_list("pk", "balance")
        )
        if len(locked) != len(people):
            raise LedgerError("no_account", _("Unknown points account."))
        if any(locked[pk] + delta[pk] < 0 for pk in people):
            raise LedgerError.conflict("insufficient", _("Not enough points."))
        record = PointsTransaction.objects.create(
            key=key, kind=kind, memo=memo[:200], actor=actor, occurred_at=occurred_at
        )
        PointsEntry.objects.bulk_create(
            [
                PointsEntry(transaction=record, account_id=account.pk, amount=amount)
                for account, amount in postings
            ]
        )
        for pk in people:
            # unscoped: the balance of an account locked above
            PointsAccount.objects.filter(pk=pk).update(balance=locked[pk] + delta[pk])
        for account, amount in sorted(
            ((a, amount) for a, amount in postings if a.pk not in locked), key=lambda p: p[0].pk
        ):
            # unscoped: a shared account of this movement
            row = PointsAccount.objects.filter(pk=account.pk).exclude(kind=AccountKind.PERSON)
            if amount < 0:
                row = row.filter(Q(kind=AccountKind.ISSUANCE) | Q(balance__gte=-amount))
            if not row.update(balance=F("balance") + amount):
                # unscoped: a shared account of this movement
                if PointsAccount.objects.filter(pk=account.pk).exclude(kind=AccountKind.PERSON).exists():
                    raise LedgerError.conflict("insufficient", _("Not enough points."))
                raise LedgerError("no_account", _("Unknown points account."))
        for account, amount in postings:
            if account.pk in locked:
                account.balance = locked[account.pk] + amount
        shared = [a for a, _amount in postings if a.pk not in locked]
        if shared and not new_key:  # the hot path (an order) does not read the mall's balance back
            now = dict(
                # unscoped: the shared accounts of this movement
                PointsAccount.objects.filter(pk__in=[a.pk for a in shared]).values_list("pk", "balance")
            )
            for account in shared:
                account.balance = now[account.pk]
        return record

    if new_key:
        # The caller derived the key from a row it has just inserted in its own transaction: no earlier
        # movement can have it, so neither the look-up nor a savepoint is needed.
        if not transaction.get_connection().in_atomic_block:
            raise ValueError("new_key=True needs the caller's transaction")
        return apply(), True
    earlier = existing_or_refuse()
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            record = apply()
    except IntegrityError:
        # The same key committed by a concurrent request meanwhile: that one took effect.
        earlier = existing_or_refuse()
        if earlier is None:
            raise
        return earlier
    return record, True


@dataclass
class Reconciliation:
    accounts: int = 0
    mismatched: list[tuple[int, int, int]] = field(default_factory=list)  # (account, cached, from entries)
    unbalanced: list[int] = field(default_factory=list)  # transactions whose entries do not sum to zero
    total: int = 0  # sum of all entries: zero in a sound ledger

    @property
    def sound(self) -> bool:
        return not self.mismatched and not self.unbalanced and self.total == 0


def points_reconcile() -> Reconciliation:
    """Prove the ledger: cached balances equal the sums of entries, every movement sums to zero."""
    sums = dict(
        PointsEntry.objects.values_list("account_id").annotate(s=Sum("amount")).values_list("account_id", "s")
    )
    result = Reconciliation()
    # unscoped: the nightly proof reads every account
    for pk, balance in PointsAccount.objects.values_list("pk", "balance").iterator(chunk_size=5000):
        result.accounts += 1
        computed = int(sums.get(pk) or 0)
        if computed != balance:
            result.mismatched.append((pk, balance, computed))
    result.unbalanced = list(
        PointsEntry.objects.values("transaction_id")
        .annotate(s=Sum("amount"))
        .exclude(s=0)
        .values_list("transaction_id", flat=True)
    )
    result.total = int(PointsEntry.objects.aggregate(s=Sum("amount"))["s"] or 0)
    return result
