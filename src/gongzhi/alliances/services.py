"""Every write about alliances, units and the resource and need lists. Matching is in matching.py, projects
(the workflow and its claims, milestones and ratings) in projects.py, donations in donations.py; all are
re-exported here."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.accounts.errors import AccountsError
from gongzhi.accounts.models import User
from gongzhi.accounts.services import phone_account
from gongzhi.alliances import rules
from gongzhi.alliances.errors import AllianceError
from gongzhi.alliances.models import (
    Agreement,
    Alliance,
    AllianceKind,
    CapacityKind,
    Category,
    ListStatus,
    Membership,
    Need,
    Resource,
    Unit,
    UnitKind,
    UnitStaff,
    Urgency,
)
from gongzhi.alliances.validation import _amount, _choice, _text, _window
from gongzhi.core import pii
from gongzhi.core.audit import audit_record
from gongzhi.core.roles import Role
from gongzhi.core.rules import staff_at
from gongzhi.orgs.models import Node, NodeKind

L = ListStatus


# --- alliances and units ------------------------------------------------------------------------------


def alliance_create(
    *,
    actor: User,
    node: Node,
    name: str,
    kind: str = AllianceKind.ALLIANCE,
    motto: str = "",
    parent: Alliance | None = None,
) -> Alliance:
    """A subdistrict's alliance, a circle, or a community's micro-alliance."""
    if not rules.manages_at.test(actor, node):
        raise AllianceError.forbidden(_("Only the subdistrict or community secretary sets up an alliance."))
    kind = _choice(kind, AllianceKind, "kind")
    if kind == AllianceKind.MICRO and node.kind != NodeKind.COMMUNITY:
        raise AllianceError.invalid(_("A micro-alliance belongs to a community."), field="node_id")
    if kind != AllianceKind.MICRO and node.kind != NodeKind.SUBDISTRICT:
        raise AllianceError.invalid(_("An alliance or circle belongs to a subdistrict."), field="node_id")
    name = _text(name, "name", 60, what=_("Give the alliance a name."))
    if Alliance.objects.filter(node=node, name=name).exists():  # unscoped: uniqueness at a node in reach
        raise AllianceError.conflict("duplicate", _("An alliance of that name is already there."))
    return Alliance.objects.create(
        node=node, name=name, kind=kind, motto=_text(motto, "motto", 300, required=False), parent=parent
    )


def unit_register(
    *,
    actor: User,
    subdistrict: Node,
    name: str,
    kind: str,
    party_org: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    alliances: list[Alliance] | None = None,
    joined_on: date | None = None,
) -> Unit:
    """Register a co-building unit at a subdistrict and admit it to alliances there."""
    if subdistrict.kind != NodeKind.SUBDISTRICT:
        raise AllianceError.invalid(_("A unit is registered at a subdistrict."), field="node_id")
    if not staff_at.test(actor, subdistrict):
        raise AllianceError.forbidden(_("Only the subdistrict's staff register units."))
    name = _text(name, "name", 60, what=_("Give the unit's name."))
    kind = _choice(kind, UnitKind, "kind")
    phone_cipher = None
    if contact_phone:
        try:
            phone_cipher = pii.encrypt(pii.normalize_phone(contact_phone), context="unit_phone")
        except (ValueError, ValidationError):
            raise AllianceError.invalid(_("Give a valid mobile number."), field="contact_phone") from None
    if (lat is None) != (lng is None) or (lat is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180)):  # type: ignore[operator]
        raise AllianceError.invalid(_("Give both coordinates, or neither."), field="lat")
    _window(joined_on, None, "joined_on")
    with transaction.atomic():
        # unscoped: the name's uniqueness at a subdistrict in the actor's reach
        if Unit.objects.filter(node=subdistrict, name=name).exists():
            raise AllianceError.conflict("duplicate", _("A unit of that name is already registered here."))
        unit = Unit.objects.create(
            node=subdistrict,
            name=name,
            kind=kind,
            party_org=_text(party_org, "party_org", 80, required=False),
            contact_name=_text(contact_name, "contact_name", 40, required=False),
            contact_phone_cipher=phone_cipher,
            address=_text(address, "address", 120, required=False),
            lat=lat,
            lng=lng,
        )
        for alliance in alliances or []:
            membership_add(actor=actor, alliance=alliance, unit=unit, joined_on=joined_on)
    return unit


def membership_add(
    *, actor: User, alliance: Alliance, unit: Unit, joined_on: date | None = None
) -> Membership:
    if not rules.manages.test(actor, alliance) and not staff_at.test(actor, alliance.node):
        raise AllianceError.forbidden(_("Only the alliance's staff admit units."))
    if not alliance.node.path.startswith(unit.node.path) and not unit.node.path.startswith(
        alliance.node.path
    ):
        raise AllianceError.invalid(_("The unit works in another subdistrict."), field="unit_id")
    membership, _created = Membership.objects.get_or_create(
        alliance=alliance, unit=unit, defaults={"joined_on": joined_on or timezone.localdate()}
    )
    return membership


def unit_staff_add(*, actor: User, unit: Unit, user: User) -> UnitStaff:
    """Let an account act for a unit: the unit's row, and the alliance_unit role at its subdistrict."""
    from gongzhi.accounts.models import RoleBinding

    if not staff_at.test(actor, unit.node):
        raise AllianceError.forbidden(_("Only the subdistrict's staff add a unit's accounts."))
    with transaction.atomic():
        staff, _created = UnitStaff.objects.get_or_create(unit=unit, user=user)
        # unscoped: the unit account's own binding, made once
        RoleBinding.objects.get_or_create(user=user, role=Role.ALLIANCE_UNIT, node=unit.node)
        audit_record(
            actor=actor, action="alliances.unit_staff_add", target=unit, node=unit.node, user=user.pk
        )
    return staff


def unit_account_create(*, actor: User, unit: Unit, name: str, phone: str) -> User:
    """Staff of the unit's subdistrict give a person an account acting for the unit: a name and a mobile
    number, with which they sign in by a code sent to it (no password is made). A number that has an account
    already gets the unit added to that account; each account acts only for the units it is added to."""
    if not staff_at.test(actor, unit.node):
        raise AllianceError.forbidden(_("Only the subdistrict's staff add a unit's accounts."))
    name = _text(name, "name", 40, what=_("Give the person's name."))
    with transaction.atomic():
        try:
            user, made = phone_account(
                actor=actor, phone=phone, display_name=name, username_prefix=f"unit{unit.pk}", node=unit.node
            )
        except AccountsError:
            raise AllianceError.invalid(_("Give a valid mobile number."), field="phone") from None
        # unscoped: whether this account acts for the unit already
        if not made and UnitStaff.objects.filter(unit=unit, user=user).exists():
            raise AllianceError.conflict(
                "already_an_account", _("This number already has an account of the unit.")
            )
        unit_staff_add(actor=actor, unit=unit, user=user)
    return user


def unit_accounts(unit: Unit) -> list[UnitStaff]:
    """The accounts acting for a unit (for its subdistrict's staff)."""
    # unscoped: a unit's accounts, read for staff over the unit (the caller checks)
    return list(UnitStaff.objects.filter(unit=unit).select_related("user").order_by("id")[:100])


# --- the resource list ---------------------------------------------------------------------------------


def resource_post(
    *,
    actor: User,
    unit: Unit,
    category: str,
    title: str,
    capacity_kind: str,
    capacity: int,
    description: str = "",
    radius_km: float = 3.0,
    serves: list[Node] | None = None,
    available_from: date | None = None,
    available_until: date | None = None,
    lat: float | None = None,
    lng: float | None = None,
    publish: bool = True,
) -> Resource:
    """A unit's account (or staff for the unit) posts what the unit offers."""
    if not rules.acts_for_unit.test(actor, unit) and not staff_at.test(actor, unit.node):
        raise AllianceError.forbidden(_("You do not act for this unit."))
    category = _choice(category, Category, "category")
    capacity_kind = _choice(capacity_kind, CapacityKind, "capacity_kind")
    capacity = _amount(capacity, "capacity")
    if not isinstance(radius_km, int | float) or not 0 <= radius_km <= 100:
        raise AllianceError.invalid(_("The radius is 0 to 100 km."), field="radius_km")
    _window(available_from, available_until, "available_until")
    places = serves or []
    for place in places:
        if not place.path.startswith(unit.node.path):
            raise AllianceError.invalid(_("A unit serves places of its own subdistrict."), field="serves")
    with transaction.atomic():
        resource = Resource.objects.create(
            node=unit.node,
            unit=unit,
            category=category,
            title=_text(title, "title", 60, what=_("Say what the unit offers.")),
            description=_text(description, "description", 500, required=False),
            capacity_kind=capacity_kind,
            capacity=capacity,
            radius_km=float(radius_km),
            available_from=available_from,
            available_until=available_until,
            lat=lat if lat is not None else unit.lat,
            lng=lng if lng is not None else unit.lng,
            status=L.OPEN if publish else L.DRAFT,
            posted_by=actor,
        )
        if places:
            resource.serves.set(places)
    return resource


def need_post(
    *,
    actor: User,
    node: Node,
    category: str,
    title: str,
    quantity_kind: str,
    quantity: int,
    description: str = "",
    beneficiaries: str = "",
    urgency: int = Urgency.NORMAL,
    wanted_from: date | None = None,
    wanted_until: date | None = None,
    appeal: Any = None,
    wish: Any = None,
    source: str = "",
    publish: bool = True,
) -> Need:
    """Staff of a compound or community post what it needs (also from an appeal or a hot issue)."""
    if node.kind not in (NodeKind.COMPOUND, NodeKind.COMMUNITY, NodeKind.GRID):
        raise AllianceError.invalid(_("A need belongs to a compound or a community."), field="node_id")
    if not staff_at.test(actor, node):
        raise AllianceError.forbidden(_("Only staff of this place post its needs."))
    if urgency not in Urgency.values:
        raise AllianceError.invalid(_("Choose one of the listed values."), field="urgency")
    _window(wanted_from, wanted_until, "wanted_until")
    return Need.objects.create(
        node=node,
        category=_choice(category, Category, "category"),
        title=_text(title, "title", 60, what=_("Say what is needed.")),
        description=_text(description, "description", 500, required=False),
        beneficiaries=_text(beneficiaries, "beneficiaries", 60, required=False),
        urgency=urgency,
        quantity_kind=_choice(quantity_kind, CapacityKind, "quantity_kind"),
        quantity=_amount(quantity, "quantity"),
        wanted_from=wanted_from,
        wanted_until=wanted_until,
        appeal=appeal,
        wish=wish,
        source=source,
        status=L.OPEN if publish else L.DRAFT,
        posted_by=actor,
    )


def need_from_appeal(
    *,
    actor: User,
    appeal: Any,
    category: str,
    quantity_kind: str,
    quantity: int,
    urgency: int = Urgency.NORMAL,
    hot: bool = False,
) -> Need:
    """An appeal becomes a need in one click: its place, subject and details, linked back to it, and its filer
    told. From the hot-issues list, the group's most typical appeal stands for the issue (``hot``; the issue
    may outlive that appeal, so its state does not matter); otherwise the appeal is still open."""
    existing = Need.objects.filter(appeal=appeal).exclude(status=L.CLOSED).first()  # unscoped: one per appeal
    if existing is not None:
        raise AllianceError.conflict("already_a_need", _("This appeal is already on the need list."))
    if not hot and not appeal.is_open:
        raise AllianceError.wrong_state(_("This appeal is closed; only an open appeal becomes a need."))
    node = appeal.node
    if node.kind not in (NodeKind.COMPOUND, NodeKind.COMMUNITY, NodeKind.GRID):
        node = node.get_parent() if node.kind == NodeKind.BUILDING else node
    with transaction.atomic():
        need = need_post(
            actor=actor,
            node=node,
            category=category,
            title=appeal.title[:60],
            description=appeal.body[:500],
            quantity_kind=quantity_kind,
            quantity=quantity,
            urgency=urgency,
            appeal=appeal,
            source="hot" if hot else "appeal",
        )
        tell_filer(need)
    return need


# What the filer of the appeal or the wish a need came from is told (message ids, translated when shown).
FILER_MESSAGES = {
    "appeal": gettext_noop("Your appeal is on the alliance's need list: its member units may take it up"),
    "hot": gettext_noop("Your appeal is on the alliance's need list: its member units may take it up"),
    "wish": gettext_noop("Your wish is on the alliance's need list: its member units may take it up"),
}


def tell_filer(need: Need) -> list[Any]:
    """Tell the resident who filed the appeal or made the wish that it is on the need list (in the app; once
    per need). Staff who filed for someone are not told; a wish posted by staff for a neighbour tells no one."""
    from django.urls import reverse

    from gongzhi.notifications.services import notify

    recipient, link = None, ""
    appeal, wish = need.appeal, need.wish
    if appeal is not None:
        from gongzhi.appeals.rules import works_on

        if appeal.resident is not None and appeal.resident.user_id:
            recipient = appeal.resident.user
        elif appeal.submitted_by is not None and not works_on.test(appeal.submitted_by, appeal):
            recipient = appeal.submitted_by
        link = reverse("appeals:detail", args=[appeal.pk])
    elif wish is not None:
        recipient = wish.wisher
        link = reverse("wishes:detail", args=[wish.pk])
    if recipient is None or need.source not in FILER_MESSAGES:
        return []
    return notify(
        recipients=[recipient],
        kind="alliances.need",
        title=FILER_MESSAGES[need.source],
        link=link,
        dedupe_key=f"alliances.need:{need.pk}",
    )


def _list_step(actor: User, row: Resource | Need, action: str) -> Resource | Need:
    allowed = {"publish": ({L.DRAFT}, L.OPEN), "close": ({L.DRAFT, L.OPEN, L.MATCHED}, L.CLOSED)}
    if action not in allowed:
        raise AllianceError("unknown_action", _("Unknown action."))
    sources, target = allowed[action]
    editor = rules.resource_editor if isinstance(row, Resource) else rules.staffs
    if not editor.test(actor, row):
        raise AllianceError.forbidden()
    # unscoped: a compare-and-set on the row fetched in scope
    if type(row).objects.filter(pk=row.pk, status__in=sources).update(status=target) != 1:
        raise AllianceError.wrong_state(_("This entry is no longer in a state that allows this."))
    row.status = target
    return row


def resource_transition(*, actor: User, resource: Resource, action: str) -> Resource:
    result = _list_step(actor, resource, action)
    assert isinstance(result, Resource)
    return result


def need_transition(*, actor: User, need: Need, action: str) -> Need:
    result = _list_step(actor, need, action)
    assert isinstance(result, Need)
    return result


from gongzhi.alliances.donations import drive_create, pledge_make, pledge_receive  # noqa: E402
from gongzhi.alliances.matching import match_accept, match_reject, need_candidates, round_propose  # noqa: E402
from gongzhi.alliances.projects import (  # noqa: E402
    PROJECT_WORKFLOW,
    milestone_done,
    project_create,
    project_rate,
    project_transition,
)

__all__ = [
    "PROJECT_WORKFLOW",
    "AllianceError",
    "alliance_create",
    "drive_create",
    "match_accept",
    "match_reject",
    "membership_add",
    "milestone_done",
    "need_candidates",
    "need_from_appeal",
    "need_post",
    "need_transition",
    "pledge_make",
    "pledge_receive",
    "project_create",
    "project_rate",
    "project_transition",
    "resource_post",
    "resource_transition",
    "round_propose",
    "tell_filer",
    "unit_account_create",
    "unit_accounts",
    "unit_register",
    "unit_staff_add",
]


# --- co-building agreements ----------------------------------------------------------------------------


def _agreement_document(upload: Any) -> Any:
    """The signed agreement: a PDF of at most 10 MB, or a photo (core.documents, as every stored document)."""
    from gongzhi.core.documents import clean_document

    try:
        return clean_document(upload, name="agreement")
    except ValidationError as exc:
        raise AllianceError.invalid("；".join(exc.messages), field="document") from None


def agreement_add(
    *,
    actor: User,
    alliance: Alliance,
    unit: Unit,
    starts_on: date,
    ends_on: date,
    content: str,
    document: Any = None,
) -> Agreement:
    """Record a co-building agreement between a member unit and the alliance: its term, what it covers,
    and the signed document (optional)."""
    if not staff_at.test(actor, alliance.node):
        raise AllianceError.forbidden(_("Only the alliance's staff record its agreements."))
    membership = Membership.objects.filter(alliance=alliance, unit=unit).first()  # unscoped: both in reach
    if membership is None:
        raise AllianceError.invalid(_("The unit is not a member of this alliance."), field="unit_id")
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        raise AllianceError.invalid(_("Give the agreement's term."), field="starts_on")
    _window(starts_on, ends_on, "ends_on")
    text = _text(content, "content", 500, what=_("Say what the agreement covers."))
    file = _agreement_document(document) if document else None
    with transaction.atomic():
        agreement = Agreement(membership=membership, starts_on=starts_on, ends_on=ends_on, content=text)
        if file is not None:
            agreement.document.save(file.name or "agreement", file, save=False)
        agreement.save()
        audit_record(
            actor=actor,
            action="alliances.agreement_add",
            target=unit,
            node=alliance.node,
            agreement=agreement.pk,
        )
    return agreement
