"""Donation drives (cash or in kind): pledges per unit, receipts confirmed by the receiver, and a
double-entry record in yuan kept apart from residents' points. The platform records; it does not collect
money. A public fundraising drive must name a registered charity as its receiver (统一社会信用代码)."""

import re
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.alliances import rules
from gongzhi.alliances.errors import AllianceError
from gongzhi.alliances.models import Alliance, DonationEntry, Drive, DriveKind, Pledge, PledgeStatus, Unit
from gongzhi.alliances.validation import _choice, _text, _window
from gongzhi.core.rules import staff_at
from gongzhi.orgs.models import Node

CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
MAX_YUAN = 10_000_000_000


def drive_create(
    *,
    actor: User,
    node: Node,
    title: str,
    kind: str,
    goal: int,
    starts_on: date,
    ends_on: date,
    receiver: str,
    public: bool = False,
    charity_code: str = "",
    alliance: Alliance | None = None,
) -> Drive:
    if not staff_at.test(actor, node):
        raise AllianceError.forbidden(_("Only staff of this place start a drive."))
    kind = _choice(kind, DriveKind, "kind")
    if not isinstance(goal, int) or isinstance(goal, bool) or not 0 <= goal <= MAX_YUAN:
        raise AllianceError.invalid(_("The goal is 0 to 10,000,000,000 yuan."), field="goal")
    _window(starts_on, ends_on, "ends_on")
    receiver = _text(receiver, "receiver", 80, what=_("Name the organisation that receives the donations."))
    charity_code = str(charity_code or "").strip().upper()
    if public and not CREDIT_CODE.match(charity_code):
        raise AllianceError.invalid(
            _(
                "A public fundraising drive must name a registered charity: give its 18-character credit code."
            ),
            field="charity_code",
        )
    return Drive.objects.create(
        node=node,
        alliance=alliance,
        title=_text(title, "title", 60, what=_("Give the drive a title.")),
        kind=kind,
        goal=goal,
        starts_on=starts_on,
        ends_on=ends_on,
        receiver=receiver,
        public=bool(public),
        charity_code=charity_code if public else "",
        created_by=actor,
    )


def pledge_make(
    *,
    actor: User,
    drive: Drive,
    unit: Unit,
    amount: int,
    item: str = "",
    quantity: int = 0,
    destination: str = "",
) -> Pledge:
    """A unit's account (or staff for it) pledges money, or goods with their value in yuan."""
    if not rules.acts_for_unit.test(actor, unit) and not staff_at.test(actor, drive.node):
        raise AllianceError.forbidden(_("You do not act for this unit."))
    if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= MAX_YUAN:
        raise AllianceError.invalid(_("Give the amount (or the goods' value) in whole yuan."), field="amount")
    item = _text(item, "item", 40, required=drive.kind == DriveKind.IN_KIND, what=_("Say what is given."))
    if drive.kind == DriveKind.IN_KIND and (
        not isinstance(quantity, int) or not 1 <= quantity <= 100_000_000
    ):
        raise AllianceError.invalid(_("Give how many."), field="quantity")
    if not drive.node.path.startswith(unit.node.path) and not unit.node.path.startswith(drive.node.path[:8]):
        raise AllianceError.invalid(_("The unit works in another subdistrict."), field="unit_id")
    return Pledge.objects.create(
        node=drive.node,
        drive=drive,
        unit=unit,
        amount=amount,
        item=item,
        quantity=quantity if drive.kind == DriveKind.IN_KIND else 0,
        destination=_text(destination, "destination", 80, required=False),
    )


def pledge_receive(*, actor: User, pledge: Pledge, destination: str = "") -> Pledge:
    """Staff confirm that what was pledged arrived (and where goods went): two entries, once."""
    if not staff_at.test(actor, pledge.node):
        raise AllianceError.forbidden(_("Only staff of this place confirm receipts."))
    now = timezone.now()
    key = f"pledge:{pledge.pk}"
    try:
        with transaction.atomic():
            changes = {"status": PledgeStatus.RECEIVED, "received_at": now}
            if destination:
                changes["destination"] = str(destination).replace("\x00", "").strip()[:80]
            # unscoped: compare-and-set on the pledge fetched in scope
            if Pledge.objects.filter(pk=pledge.pk, status=PledgeStatus.PLEDGED).update(**changes) != 1:
                raise AllianceError.wrong_state(_("This pledge has been received already."))
            DonationEntry.objects.bulk_create(
                [
                    DonationEntry(key=key, account=f"unit:{pledge.unit_id}", amount=-pledge.amount, at=now),
                    DonationEntry(key=key, account=f"drive:{pledge.drive_id}", amount=pledge.amount, at=now),
                ]
            )
    except IntegrityError:
        raise AllianceError.wrong_state(_("This pledge has been received already.")) from None
    for name, value in changes.items():
        setattr(pledge, name, value)
    return pledge


def donation_balance(account: str) -> int:
    """What an account holds in the record: a drive's receipts (positive), a unit's gifts (negative)."""
    return DonationEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0


def donations_reconcile() -> bool:
    """Every key's entries sum to zero."""
    from django.db.models import Count

    rows = DonationEntry.objects.values("key").annotate(s=Sum("amount"), n=Count("pk"))
    return all(r["s"] == 0 and r["n"] == 2 for r in rows)
