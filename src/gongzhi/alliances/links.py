"""The alliances' links to the other modules, each through that module's own services and scope:

- a wish becomes a need (linked both ways: the need names the wish, the wish's page finds the need);
- a project's activities are volunteering activities (sign-ups, hours and points as volunteering does them);
- an appeal is transferred to a co-building unit (the appeal's own "transfer" step, naming the unit), whose
  accounts reply; staff resolve the appeal with the reply;
- a unit offers items in the points mall (the mall's own item, with the unit as its provider);
- in-kind gifts go where they went: a compound, an activity, or a mall item's stock (the mall's restock);
- an alliance's shared venues are the venues module's venues.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.alliances import rules
from gongzhi.alliances.errors import AllianceError
from gongzhi.alliances.matching import _subdistrict_path
from gongzhi.alliances.models import (
    Alliance,
    AppealTransfer,
    DriveKind,
    MallOffer,
    Need,
    Pledge,
    PledgeStatus,
    Project,
    TransferStatus,
    Unit,
    Urgency,
)
from gongzhi.alliances.models import ListStatus as L
from gongzhi.alliances.services import need_post, tell_filer
from gongzhi.alliances.validation import _text
from gongzhi.core.audit import audit_record
from gongzhi.core.rules import staff_at
from gongzhi.orgs.models import Node, NodeKind

# --- a wish becomes a need -----------------------------------------------------------------------------


def need_from_wish(
    *,
    actor: User,
    wish: Any,
    category: str,
    quantity_kind: str,
    quantity: int,
    urgency: int = Urgency.NORMAL,
) -> Need:
    """A micro-wish becomes a need in one click: its compound, its wish and details, linked back to it, and
    the wisher told (if the wish is theirs on the platform). The wisher's name stays with the wish."""
    # unscoped: whether this wish is on the need list already (one open need per wish)
    if Need.objects.filter(wish=wish).exclude(status=L.CLOSED).exists():
        raise AllianceError.conflict("already_a_need", _("This wish is already on the need list."))
    if wish.status not in WISH_OPEN:
        raise AllianceError.wrong_state(_("Only a wish on the wall, not yet fulfilled, becomes a need."))
    with transaction.atomic():
        need = need_post(
            actor=actor,
            node=wish.node,
            category=category,
            title=wish.title[:60],
            description=(wish.body or "")[:500],
            quantity_kind=quantity_kind,
            quantity=quantity,
            urgency=urgency,
            wish=wish,
            source="wish",
        )
        tell_filer(need)
    return need


def need_of(*, fetched_by: User, appeal: Any = None, wish: Any = None) -> Need | None:
    """The need an appeal (or hot issue) or a wish became, if the user may see it."""
    qs = Need.objects.visible_to(fetched_by, "view")
    if appeal is not None:
        qs = qs.filter(appeal=appeal)
    elif wish is not None:
        qs = qs.filter(wish=wish)
    else:
        return None
    need: Need | None = qs.order_by("-id").first()
    return need


def has_need(user: Any, obj: Any) -> bool:
    """(user, appeal or wish): staff who see the need it became (the "on the need list" button)."""
    field = "wish" if obj._meta.model_name == "wish" else "appeal"
    # unscoped: whether the object has a need, then whether the user sees it
    if not Need.objects.filter(**{field: obj}).exists():
        return False
    return need_of(fetched_by=user, **{field: obj}) is not None


def _on_need_list(field: str, obj: Any) -> bool:
    # unscoped: whether the object is on the need list already (the buttons' condition)
    return Need.objects.filter(**{field: obj}).exclude(status=L.CLOSED).exists()


# A wish on the wall that no one has fulfilled yet.
WISH_OPEN = ("published", "claimed")


def may_make_need(user: Any, obj: Any) -> bool:
    """(user, appeal or wish): staff handling the open appeal, or staff over the wish's compound while the wish
    waits or is claimed; not when it is on the need list already."""
    if obj._meta.model_name == "wish":
        if obj.status not in WISH_OPEN or not staff_at.test(user, obj.node):
            return False
        return not _on_need_list("wish", obj)
    from gongzhi.appeals.rules import handles_open

    return bool(handles_open(user, obj)) and not _on_need_list("appeal", obj)


def may_make_hot_need(user: Any, appeal: Any) -> bool:
    """(user, the appeal standing for a hot issue): staff over its place; the issue may outlive that appeal."""
    return bool(staff_at.test(user, appeal.node)) and not _on_need_list("appeal", appeal)


# --- a project's activities are volunteering activities ------------------------------------------------

# A project that may still get activities: open for claim or running.
PROJECT_RUNNING = ("open", "claimed", "in_progress")


def project_activity_create(
    *,
    actor: User,
    project: Project,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    place: str = "",
    description: str = "",
    points_per_hour: int | None = None,
) -> Any:
    """Publish a volunteering activity for a project (volunteering checks who may organise where, and
    counts hours and points as for any activity) and list it on the project."""
    from gongzhi.volunteering.services import activity_create

    if not rules.staffs.test(actor, project):
        raise AllianceError.forbidden(_("Only staff over the project's place publish its activities."))
    if project.status not in PROJECT_RUNNING:
        raise AllianceError.wrong_state(_("Activities are published for a project that is open or running."))
    with transaction.atomic():
        activity = activity_create(
            actor=actor,
            node=project.node,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            place=place or project.place,
            description=description or project.goal,
            points_per_hour=points_per_hour,
        )
        project.activities.add(activity)
        audit_record(
            actor=actor,
            action="alliances.project_activity",
            target=project,
            node=project.node,
            activity=activity.pk,
        )
    return activity


def project_activity_attach(*, actor: User, project: Project, activity: Any) -> Project:
    """List an existing volunteering activity (of the project's place) on the project."""
    if not rules.staffs.test(actor, project):
        raise AllianceError.forbidden(_("Only staff over the project's place publish its activities."))
    if project.status not in PROJECT_RUNNING:
        raise AllianceError.wrong_state(_("Activities are published for a project that is open or running."))
    if _subdistrict_path(activity.node) != _subdistrict_path(project.node):
        raise AllianceError.invalid(_("The activity is held somewhere else."), field="activity_id")
    project.activities.add(activity)
    audit_record(
        actor=actor,
        action="alliances.project_activity",
        target=project,
        node=project.node,
        activity=activity.pk,
    )
    return project


def project_activity_hours(project: Project) -> list[dict[str, Any]]:
    """The project's activities with their confirmed services, hours and points (volunteering's figures)."""
    from gongzhi.volunteering.models import Activity

    rows = (
        # unscoped: the activities listed on a project the user sees; only counts are read
        Activity.objects.filter(pk__in=project.activities.values("pk"))
        .annotate(
            services=Count("signups", filter=Q(signups__confirmed_at__isnull=False)),
            hours=Sum("signups__hours", filter=Q(signups__confirmed_at__isnull=False)),
            points=Sum("signups__points", filter=Q(signups__confirmed_at__isnull=False)),
        )
        .order_by("starts_at", "id")
    )
    return [
        {
            "activity": a,
            "services": a.services or 0,
            "hours": a.hours or Decimal(0),
            "points": a.points or 0,
        }
        for a in rows
    ]


# --- an appeal transferred to a unit --------------------------------------------------------------------


def appeal_transfer(*, actor: User, appeal: Any, unit: Unit, note: str = "") -> AppealTransfer:
    """Transfer an appeal to a co-building unit of its subdistrict: the appeal's own "transfer" step (its
    rules, history and messages), and the unit's copy of what the problem is and where."""
    from gongzhi.appeals.workflow import appeal_transition

    if _subdistrict_path(unit.node) != _subdistrict_path(appeal.node):
        raise AllianceError.invalid(_("The unit works in another subdistrict."), field="unit_id")
    note = _text(note, "note", 300, required=False)
    with transaction.atomic():
        appeal_transition(
            actor=actor,
            appeal=appeal,
            action="transfer",
            transferred_to=unit.name[:120],
            note=note,
        )
        transfer = AppealTransfer.objects.create(
            node=appeal.node,
            appeal=appeal,
            unit=unit,
            title=appeal.title[:120],
            body=appeal.body[:5000],
            note=note,
            sent_by=actor,
        )
        audit_record(
            actor=actor, action="alliances.appeal_transfer", target=transfer, node=appeal.node, unit=unit.pk
        )
    return transfer


def transfer_reply(*, actor: User, transfer: AppealTransfer, reply: str) -> AppealTransfer:
    """The unit's account says what it did (once; staff then resolve the appeal with it)."""
    if not rules.acts_for_unit.test(actor, transfer.unit):
        raise AllianceError.forbidden(_("You do not act for this unit."))
    reply = _text(reply, "reply", 2000, what=_("Say what the unit did."))
    now = timezone.now()
    # unscoped: compare-and-set on the transfer fetched in scope
    done = AppealTransfer.objects.filter(pk=transfer.pk, status=TransferStatus.SENT).update(
        status=TransferStatus.REPLIED, reply=reply, replied_by=actor, replied_at=now
    )
    if done != 1:
        raise AllianceError.wrong_state(_("The unit has replied already."))
    audit_record(actor=actor, action="alliances.transfer_reply", target=transfer, node=transfer.node)
    transfer.status, transfer.reply, transfer.replied_by, transfer.replied_at = (
        TransferStatus.REPLIED,
        reply,
        actor,
        now,
    )
    return transfer


def transfer_resolve(*, actor: User, transfer: AppealTransfer, reply: str = "") -> AppealTransfer:
    """Staff resolve the appeal with the unit's reply (or their own words), through the appeal's "resolve"."""
    from gongzhi.appeals.models import Appeal
    from gongzhi.appeals.workflow import appeal_transition

    if transfer.status != TransferStatus.REPLIED:
        raise AllianceError.wrong_state(_("The unit has not replied yet."))
    text = _text(reply or transfer.reply, "reply", 2000)
    with transaction.atomic():
        # unscoped: the transferred appeal, locked; its own rules check the actor
        appeal = Appeal.objects.select_for_update().get(pk=transfer.appeal_id)
        appeal_transition(actor=actor, appeal=appeal, action="resolve", reply=text)
        # unscoped: compare-and-set on the transfer fetched in scope
        closed = AppealTransfer.objects.filter(pk=transfer.pk, status=TransferStatus.REPLIED)
        if closed.update(status=TransferStatus.CLOSED) != 1:
            raise AllianceError.wrong_state(_("The unit has not replied yet."))
    transfer.status = TransferStatus.CLOSED
    return transfer


def may_transfer(user: Any, appeal: Any) -> bool:
    """(user, appeal): staff handling it, in a state the appeal's "transfer" allows, with units nearby."""
    if appeal.status not in ("accepted", "assigned"):
        return False
    from gongzhi.appeals.rules import handles

    if not handles.test(user, appeal):
        return False
    # unscoped: whether any unit works in the appeal's subdistrict (the button's condition)
    return Unit.objects.filter(node__path=_subdistrict_path(appeal.node)).exists()


# --- units' mall items ----------------------------------------------------------------------------------


def unit_mall_item(
    *,
    actor: User,
    unit: Unit,
    name: str,
    price: int,
    stock: int = 0,
    description: str = "",
    pickup_place: str = "",
) -> Any:
    """Staff put a unit's offer in the points mall: the mall's own item (its rules: who may offer where,
    prices, stock), with the unit named as provider and the offer listed on the unit."""
    from gongzhi.ledger.mall import item_create

    with transaction.atomic():
        item = item_create(
            actor=actor,
            node=unit.node,
            name=name,
            price=price,
            stock=stock,
            provider=unit.name,
            description=description,
            pickup_place=pickup_place or unit.address,
        )
        MallOffer.objects.create(unit=unit, item=item)
        audit_record(actor=actor, action="alliances.mall_offer", target=unit, node=unit.node, item=item.pk)
    return item


def sees_unit_offers(user: Any, unit: Unit) -> bool:
    """(user, unit): the unit's accounts and the staff of its subdistrict see its items off offer too."""
    return bool(rules.acts_for_unit.test(user, unit) or staff_at.test(user, unit.node))


def unit_mall_items(unit: Unit) -> list[Any]:
    """The mall items a unit offers (the mall's rows)."""
    from gongzhi.ledger.models import MallItem

    # unscoped: the items of a public unit's offers; mall items are public where they are offered
    return list(MallItem.objects.filter(pk__in=unit.mall_offers.values("item_id")).order_by("-id"))


# --- where in-kind gifts went --------------------------------------------------------------------------


def pledge_place(
    *,
    actor: User,
    pledge: Pledge,
    node: Node | None = None,
    activity: Any = None,
    mall_item: Any = None,
) -> Pledge:
    """Record where a received in-kind gift went: a compound (or community), a volunteering activity, or the
    points mall, where its pieces are added to the item's stock by the mall's restock (once per pledge)."""
    from gongzhi.ledger.mall import item_restock

    if not staff_at.test(actor, pledge.node):
        raise AllianceError.forbidden(_("Only staff of this place confirm receipts."))
    if pledge.drive.kind != DriveKind.IN_KIND:
        raise AllianceError.invalid(
            _("Only goods go somewhere; money stays in the record."), field="pledge_id"
        )
    if pledge.status != PledgeStatus.RECEIVED:
        raise AllianceError.wrong_state(_("Confirm the receipt first."))
    if sum(x is not None for x in (node, activity, mall_item)) != 1:
        raise AllianceError.invalid(_("Choose one place the goods went to."), field="destination")
    reach = _subdistrict_path(pledge.node)
    target = node or getattr(activity, "node", None) or getattr(mall_item, "node", None)
    if target is None or not target.path.startswith(reach):
        raise AllianceError.invalid(
            _("The goods go to a place of the drive's subdistrict."), field="destination"
        )
    if node is not None and node.kind not in (NodeKind.COMPOUND, NodeKind.COMMUNITY, NodeKind.GRID):
        raise AllianceError.invalid(_("Choose a compound or a community."), field="destination")
    with transaction.atomic():
        # unscoped: compare-and-set on the pledge fetched in scope (its destination is set once)
        claimed = Pledge.objects.filter(
            pk=pledge.pk,
            status=PledgeStatus.RECEIVED,
            to_node__isnull=True,
            to_activity__isnull=True,
            to_mall_item__isnull=True,
        ).update(
            to_node=node,
            to_activity=activity,
            to_mall_item=mall_item,
            destination=str(
                getattr(node, "name", "")
                or getattr(activity, "title", "")
                or f"{_('Points mall')}：{mall_item.name}"
            )[:80],
        )
        if claimed != 1:
            raise AllianceError.wrong_state(_("Where these goods went is recorded already."))
        if mall_item is not None:
            item_restock(actor=actor, item=mall_item, delta=pledge.quantity)
        audit_record(
            actor=actor,
            action="alliances.pledge_place",
            target=pledge,
            node=pledge.node,
            to_node=getattr(node, "pk", None),
            to_activity=getattr(activity, "pk", None),
            to_mall_item=getattr(mall_item, "pk", None),
            quantity=pledge.quantity,
        )
    # unscoped: the pledge just updated
    return Pledge.objects.select_related("to_node", "to_activity", "to_mall_item").get(pk=pledge.pk)


# --- shared venues ---------------------------------------------------------------------------------------


def alliance_venues_set(*, actor: User, alliance: Alliance, venues: list[Any]) -> Alliance:
    """Staff name the venues module's venues the alliance's units share (venues of the alliance's place)."""
    if not rules.manages.test(actor, alliance) and not staff_at.test(actor, alliance.node):
        raise AllianceError.forbidden(_("Only staff of the alliance's place set its venues."))
    reach = _subdistrict_path(alliance.node)
    if any(not v.node.path.startswith(reach) for v in venues):
        raise AllianceError.invalid(_("The venue is in another subdistrict."), field="venue_ids")
    alliance.venues.set(venues)
    audit_record(
        actor=actor,
        action="alliances.venues",
        target=alliance,
        node=alliance.node,
        venues=[v.pk for v in venues],
    )
    return alliance
